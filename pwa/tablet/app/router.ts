/** The screens, by URL (deep links work: the kit serves the app for any path). */
export type Route =
  | { readonly name: 'patients' }
  | { readonly name: 'new-patient' }
  | { readonly name: 'patient'; readonly id: string }
  | { readonly name: 'visit'; readonly id: string }
  | { readonly name: 'consult'; readonly visitId: string }
  | { readonly name: 'outbox' }
  | { readonly name: 'instruments' }
  | { readonly name: 'pair' };

/** Reads a path. Unknown paths go to the patient list. */
export function parseRoute(path: string): Route {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'patients' && parts[1] === 'new') return { name: 'new-patient' };
  if (parts[0] === 'patients' && parts[1]) return { name: 'patient', id: parts[1] };
  if (parts[0] === 'visits' && parts[1] && parts[2] === 'consult')
    return { name: 'consult', visitId: parts[1] };
  if (parts[0] === 'visits' && parts[1]) return { name: 'visit', id: parts[1] };
  if (parts[0] === 'outbox') return { name: 'outbox' };
  if (parts[0] === 'instruments') return { name: 'instruments' };
  if (parts[0] === 'pair') return { name: 'pair' };
  return { name: 'patients' };
}

/** The path of a screen. */
export function pathOf(route: Route): string {
  switch (route.name) {
    case 'patients':
      return '/';
    case 'new-patient':
      return '/patients/new';
    case 'patient':
      return `/patients/${encodeURIComponent(route.id)}`;
    case 'visit':
      return `/visits/${encodeURIComponent(route.id)}`;
    case 'consult':
      return `/visits/${encodeURIComponent(route.visitId)}/consult`;
    case 'outbox':
      return '/outbox';
    case 'instruments':
      return '/instruments';
    case 'pair':
      return '/pair';
  }
}
