import { describe, expect, it } from 'vitest';
import { RU_CORE } from '../../profiles/index.ts';
import { fhirProblems } from '../../testing/fhir-validator.ts';
import type { LinkAnswer } from '../link-answers.ts';
import { KitNames } from '../refs.ts';
import { ICD10_SYSTEM, toConclusionReport } from './link-answer.ts';

const ctx = { names: new KitNames(new Uint8Array(32)), profile: RU_CORE };

function conclusion(body: Extract<LinkAnswer['answer'], { kind: 'conclusion' }>['body']): LinkAnswer {
  return {
    envelopeId: 'e'.repeat(64),
    itemId: 'a'.repeat(32),
    from: 'spec-1',
    to: 'kit-1',
    sentAt: '2026-11-22T10:00:00.000Z',
    receivedAt: '2026-11-22T10:00:02.000Z',
    ref: null,
    signed: new Uint8Array(0),
    signature: new Uint8Array(64),
    verified: true,
    reasons: [],
    answer: { kind: 'conclusion', body },
  };
}

const place = { visitId: 'v-0000000000000001', patientId: 'p-0000000000000001', inBundle: () => true };

describe('a conclusion as a DiagnosticReport', () => {
  it('writes the structured parts in the conclusion text and the ICD-10 code with the diagnosis as display', () => {
    const report = toConclusionReport(
      conclusion({
        text: 'Острый коронарный синдром не исключён.',
        diagnosis: 'Стенокардия',
        icd10: 'I20.0',
        findings: 'ST-депрессия в V4-V6',
        recommendations: 'ЭКГ в динамике',
        referral: true,
        refersTo: [{ id: 'o-0000000000000001', sha256: '0'.repeat(64) }],
      }),
      place,
      ctx,
    );
    expect(fhirProblems(report)).toEqual([]);
    expect(report.conclusion?.split('\n')).toEqual([
      'Острый коронарный синдром не исключён.',
      'Данные: ST-депрессия в V4-V6',
      'Диагноз: Стенокардия (I20.0)',
      'Рекомендации: ЭКГ в динамике',
      'Направление: нужен очный осмотр',
    ]);
    expect(report.conclusionCode).toEqual([
      { coding: [{ system: ICD10_SYSTEM, code: 'I20.0', display: 'Стенокардия' }], text: 'Стенокардия' },
    ]);
    expect(report.result).toHaveLength(1);
    expect(report.basedOn).toBeUndefined();
  });

  it('keeps a diagnosis that is not a code as text only, and leaves out readings not in the bundle', () => {
    const report = toConclusionReport(
      conclusion({
        text: 'Наблюдение.',
        diagnosis: 'здоров',
        refersTo: [{ id: 'o-0000000000000001', sha256: '0'.repeat(64) }],
      }),
      { ...place, inBundle: () => false },
      ctx,
    );
    expect(fhirProblems(report)).toEqual([]);
    expect(report.conclusionCode).toEqual([{ text: 'здоров' }]);
    expect(report.result).toBeUndefined();
  });
});
