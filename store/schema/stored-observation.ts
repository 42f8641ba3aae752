import { z } from 'zod';
import { ObservationInput } from './observation.ts';

/** An observation body as encrypted on disk: the validated input plus the commit time. */
export const ObservationBody = ObservationInput.extend({ recordedAt: z.string() });
