import { useState } from 'preact/hooks';
import type { ManualMeasure } from '../../../shared/manual-measure.ts';
import { ACVPU_LEVELS } from '../../../shared/vital-codes.ts';
import { useApp, useWords } from '../state/context.ts';

const ACVPU_WORDS = { A: 'acvpuA', C: 'acvpuC', V: 'acvpuV', P: 'acvpuP', U: 'acvpuU' } as const;

function NumberRow(props: {
  label: string;
  unit: string;
  min: number;
  max: number;
  step: number;
  testId: string;
  onEnter: (v: number) => void;
}) {
  const w = useWords();
  const [text, setText] = useState('');
  const value = Number(text.replace(',', '.'));
  const ok = text !== '' && Number.isFinite(value) && value >= props.min && value <= props.max;
  return (
    <form
      class="manual-row"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ok) return;
        props.onEnter(value);
        setText('');
      }}
    >
      <label>
        <span>{props.label}</span>
        <input
          type="text"
          inputMode="decimal"
          data-testid={props.testId}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <span class="unit">{props.unit}</span>
      </label>
      <button type="submit" class="primary" disabled={!ok}>
        {w.t('enter')}
      </button>
    </form>
  );
}

/** Respiration rate, consciousness (ACVPU), oxygen and temperature typed on the tablet. */
export function ManualEntry({ visitId }: { visitId: string }) {
  const app = useApp();
  const w = useWords();
  const [flow, setFlow] = useState('2');
  const enter = (measure: ManualMeasure) => void app.addEntry(visitId, { kind: 'manual', measure });
  return (
    <section class="panel" data-testid="manual-entry">
      <h2>{w.t('manualEntries')}</h2>
      <NumberRow
        label={w.t('respirationRate')}
        unit={w.t('respirationUnit')}
        min={1}
        max={80}
        step={1}
        testId="manual-rr"
        onEnter={(v) => enter({ type: 'respiration-rate', value: Math.round(v) })}
      />
      <NumberRow
        label={w.t('temperature')}
        unit="°C"
        min={25}
        max={45}
        step={0.1}
        testId="manual-temp"
        onEnter={(v) => enter({ type: 'temperature', value: v })}
      />
      <div class="manual-row">
        <span class="row-label">{w.t('consciousness')}</span>
        <div class="chips">
          {ACVPU_LEVELS.map((l) => (
            <button
              key={l}
              type="button"
              class="chip"
              title={w.t(ACVPU_WORDS[l])}
              data-testid={`acvpu-${l}`}
              onClick={() => enter({ type: 'consciousness', value: l })}
            >
              {w.t(ACVPU_WORDS[l])}
            </button>
          ))}
        </div>
      </div>
      <div class="manual-row">
        <span class="row-label">{w.t('oxygen')}</span>
        <div class="chips">
          <button
            type="button"
            class="chip"
            data-testid="o2-air"
            onClick={() => enter({ type: 'oxygen', onOxygen: false })}
          >
            {w.t('onAir')}
          </button>
          <label class="inline">
            <input
              type="text"
              inputMode="decimal"
              class="short"
              value={flow}
              onInput={(e) => setFlow(e.currentTarget.value)}
              aria-label={w.t('flow')}
            />
            <span class="unit">{w.t('flow')}</span>
          </label>
          <button
            type="button"
            class="chip"
            data-testid="o2-on"
            disabled={!(Number(flow.replace(',', '.')) >= 0.5)}
            onClick={() => enter({ type: 'oxygen', onOxygen: true, flowLpm: Number(flow.replace(',', '.')) })}
          >
            {w.t('onOxygen')}
          </button>
        </div>
      </div>
    </section>
  );
}
