import type { FloorPlan as FloorPlanJson } from '../api';
import type { RequestState } from '../useRequest';
import { FloorPlan, type PlanHighlights } from './FloorPlan';
import { ErrorNotice, Loading } from './Status';

/** The event's floor plan as requested once for the whole page. */
export interface PlanRequest {
  state: RequestState<FloorPlanJson>;
  retry: () => void;
}

interface PlanPanelProps {
  plan: PlanRequest;
  eventName: string;
  highlights: PlanHighlights;
}

/** The floor plan, or why it is not there yet. */
export function PlanPanel({ plan, eventName, highlights }: PlanPanelProps) {
  const { state } = plan;
  if (state.status === 'loading') return <Loading>Loading the floor plan…</Loading>;
  if (state.status === 'error') {
    return <ErrorNotice error={state.error} notFound="This event no longer exists." onRetry={plan.retry} />;
  }
  return <FloorPlan areas={state.data.features} eventName={eventName} highlights={highlights} />;
}
