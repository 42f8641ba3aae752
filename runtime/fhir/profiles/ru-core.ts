import type { IdentifierProfile } from './identifier-profile.ts';

const TYPE_SYSTEM = 'https://fhir.ru/ig/core/CodeSystem/core-cs-semd-identifier-type';
const IDENTITY_DOCUMENT_SYSTEM = 'https://fhir.ru/ig/core/CodeSystem/core-cs-nsi-identity-document';

/**
 * HL7 FHIR Russia core (RuCoreIG, fhir.ru): the NamingSystems core-ns-rf-snils, core-ns-rf-oms and
 * core-ns-rf-identity-document, with the identifier types of core-cs-semd-identifier-type. The
 * default profile.
 */
export const RU_CORE: IdentifierProfile = {
  name: 'ru-core',
  summary: 'HL7 FHIR Russia core URIs (https://fhir.ru/ig/core/systems/...)',
  documents: [
    {
      kind: 'snils',
      system: 'https://fhir.ru/ig/core/systems/snils',
      type: { coding: [{ system: TYPE_SYSTEM, code: 'snils', display: 'СНИЛС' }] },
    },
    {
      kind: 'oms',
      system: 'https://fhir.ru/ig/core/systems/oms',
      type: { coding: [{ system: TYPE_SYSTEM, code: 'oms-policy', display: 'Полис ОМС' }] },
    },
    {
      kind: 'passport',
      system: 'https://fhir.ru/ig/core/systems/identity-document',
      type: {
        coding: [
          { system: TYPE_SYSTEM, code: 'identity-document', display: 'Документ, удостоверяющий личность' },
          { system: IDENTITY_DOCUMENT_SYSTEM, code: '1', display: 'Паспорт гражданина Российской Федерации' },
        ],
      },
    },
  ],
};
