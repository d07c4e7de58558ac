import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { requireLatestClosure, timeline, type Closure, type TimelineStep } from '../../../shared/closures.ts';
import { opportunityFlag } from '../../../shared/flags.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@dealdesk/sf-plugin', 'dealdesk.closure.show');

export type DealdeskClosureShowResult = {
  closure: Closure;
  steps: TimelineStep[];
};

const REASONING_WIDTH = 80;

export default class DealdeskClosureShow extends SfCommand<DealdeskClosureShowResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    opportunity: opportunityFlag,
  };

  public async run(): Promise<DealdeskClosureShowResult> {
    const { flags } = await this.parse(DealdeskClosureShow);
    const conn = flags['target-org'].getConnection(flags['api-version']);
    const closure = await requireLatestClosure(conn, flags.opportunity);
    const steps = await timeline(conn, closure.id);
    this.styledHeader(
      messages.getMessage('info.header', [
        closure.name,
        closure.status ?? '-',
        closure.runId ?? messages.getMessage('info.noRun'),
      ]),
    );
    if (closure.confidence !== null || closure.decision)
      this.log(messages.getMessage('info.verdict', [closure.decision ?? '-', closure.confidence ?? '-']));
    if (closure.error) this.warn(closure.error);
    if (steps.length === 0) this.log(messages.getMessage('info.noSteps'));
    else
      this.table({
        data: steps.map((s) => ({
          agent: s.agent ?? '',
          status: s.status ?? '',
          confidence: s.confidence ?? '',
          duration: s.durationMs === null ? '' : `${(s.durationMs / 1000).toFixed(1)} s`,
          started: s.startedAt ?? '',
          reasoning: shorten(s.error ?? s.reasoning ?? ''),
        })),
        columns: ['agent', 'status', 'confidence', 'duration', 'started', 'reasoning'],
      });
    return { closure, steps };
  }
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > REASONING_WIDTH ? `${flat.slice(0, REASONING_WIDTH - 1)}…` : flat;
}
