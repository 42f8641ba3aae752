import { findCodec } from '../../../../ble-devices/codecs/registry.ts';
import type { Json, JsonObject } from '../../../../ble-devices/codecs/codec.ts';
import type { ObservationRecord } from '../../../../store/index.ts';
import type { CodeableConcept } from '../../fhir-types.ts';

const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const BP_PANEL = '85354-9';
const PULSE = '8867-4';

/** What an instrument's status bits say about one observation. */
export interface InstrumentFlags {
  readonly interpretation: CodeableConcept[];
  /** Measurement-quality remarks (movement, loose cuff, weak signal), as notes. */
  readonly notes: string[];
}

const interpretation = (code: string, display: string, text: string): CodeableConcept => ({
  coding: [{ system: V3, code, display }],
  text,
});

/** Russian wording of the quality bits worth a note (the bit name follows in brackets). */
const QUALITY: Readonly<Record<string, string>> = {
  body_movement: 'движение во время измерения',
  cuff_too_loose: 'манжета надета слабо',
  improper_position: 'неправильное положение при измерении',
  questionable_measurement_detected: 'сомнительное измерение',
  invalid_measurement_detected: 'недостоверное измерение',
  measurement_unavailable: 'измерение недоступно',
  early_estimated_data: 'предварительная оценка',
  low_perfusion_detected: 'низкая перфузия',
  poor_signal_detected: 'слабый сигнал',
  inadequate_signal_detected: 'недостаточный сигнал',
  erratic_signal_detected: 'нестабильный сигнал',
  sensor_displaced: 'датчик смещён',
  sensor_disconnected: 'датчик отсоединён',
  equipment_malfunction_detected: 'неисправность прибора',
  device_battery_low: 'низкий заряд батареи прибора',
  sensor_malfunction: 'неисправность сенсора',
  sample_size_insufficient: 'недостаточный объём пробы',
  strip_insertion_error: 'ошибка установки полоски',
  strip_type_incorrect: 'неверный тип полоски',
  sensor_temperature_too_high: 'температура сенсора слишком высокая',
  sensor_temperature_too_low: 'температура сенсора слишком низкая',
  read_interrupted: 'измерение прервано',
  general_device_fault: 'неисправность прибора',
  time_fault: 'сбой часов прибора',
};

const names = (v: Json | undefined): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function decodeView(o: ObservationRecord): JsonObject | undefined {
  try {
    const codec = findCodec(o.provenance.codec);
    // Bits are read only with the codec version that stored the reading: another version
    // could read the same bytes differently.
    if (codec.version !== o.provenance.codecVersion) return undefined;
    return codec.toJson(codec.decode(o.provenance.raw));
  } catch {
    return undefined; // manual entries, unknown or retired codecs: no instrument flags
  }
}

function bloodPressure(view: JsonObject, loinc: string, out: InstrumentFlags): void {
  const status = view.status;
  if (typeof status !== 'object' || status === null || Array.isArray(status)) return;
  if (loinc === BP_PANEL) {
    if (status.irregular_pulse === true)
      out.interpretation.push(interpretation('A', 'Abnormal', 'нерегулярный пульс (irregular_pulse)'));
    for (const bit of ['body_movement', 'cuff_too_loose', 'improper_position'])
      if (status[bit] === true) out.notes.push(`${QUALITY[bit]} (${bit})`);
  }
  if (loinc === PULSE) {
    if (status.pulse_rate_range === 'exceeds_upper_limit')
      out.interpretation.push(
        interpretation('H', 'High', 'пульс выше предела прибора (exceeds_upper_limit)'),
      );
    if (status.pulse_rate_range === 'below_lower_limit')
      out.interpretation.push(interpretation('L', 'Low', 'пульс ниже предела прибора (below_lower_limit)'));
  }
}

function glucose(view: JsonObject, out: InstrumentFlags): void {
  for (const bit of names(view.sensor_status)) {
    if (bit === 'result_too_high')
      out.interpretation.push(
        interpretation('>', 'Off scale high', 'выше диапазона прибора (result_too_high)'),
      );
    else if (bit === 'result_too_low')
      out.interpretation.push(
        interpretation('<', 'Off scale low', 'ниже диапазона прибора (result_too_low)'),
      );
    else if (QUALITY[bit]) out.notes.push(`${QUALITY[bit]} (${bit})`);
  }
}

function oximeter(view: JsonObject, out: InstrumentFlags): void {
  for (const bit of [...names(view.measurement_status), ...names(view.device_sensor_status)])
    if (QUALITY[bit]) out.notes.push(`${QUALITY[bit]} (${bit})`);
}

/**
 * The instrument's own flags for an observation, re-read from the stored raw bytes with the
 * codec that stored them: a cuff's irregular pulse or out-of-range pulse, a meter's off-scale
 * result become `interpretation`; movement, a loose cuff or a weak signal become notes.
 */
export function instrumentFlags(o: ObservationRecord): InstrumentFlags {
  const out: InstrumentFlags = { interpretation: [], notes: [] };
  const codec = o.provenance.codec;
  if (!/^(blood_pressure|glucose_measurement$|plx_)/.test(codec)) return out;
  const view = decodeView(o);
  if (!view) return out;
  if (codec.startsWith('blood_pressure')) bloodPressure(view, o.code.loinc, out);
  else if (codec === 'glucose_measurement') glucose(view, out);
  else oximeter(view, out);
  return out;
}
