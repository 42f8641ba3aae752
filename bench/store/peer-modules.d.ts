/** Minimal typings for the benchmark peers (the packages ship none); only what the bench calls. */
declare module 'better-sqlite3' {
  interface Statement {
    run(...params: unknown[]): unknown;
  }
  interface Db {
    pragma(source: string): unknown;
    exec(source: string): void;
    prepare(source: string): Statement;
    transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void;
    close(): void;
  }
  const Database: new (path: string) => Db;
  export default Database;
}

declare module 'pouchdb-node' {
  class PouchDB {
    constructor(name: string);
    bulkDocs(docs: object[]): Promise<unknown[]>;
    close(): Promise<void>;
  }
  export default PouchDB;
}
