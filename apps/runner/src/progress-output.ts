/** Durations for progress lines: `45s`, `3m05s`, `2h07m`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One progress state: tasks done (fractional within the running one) of `total`, and what runs now. */
export interface ProgressState {
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

/**
 * Rate and ETA of a run from its progress reports. Only work done in this run counts (tasks resumed from an
 * earlier run are excluded): the rate is (done − done at the first report) / elapsed time.
 */
export class ProgressClock {
  private start?: { at: number; done: number };

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** Tasks per second so far and the seconds left at that rate (undefined before any work is measured). */
  update(state: ProgressState): { rate?: number; eta?: number; elapsed: number } {
    const at = this.now();
    this.start ??= { at, done: state.done };
    const elapsed = (at - this.start.at) / 1000;
    const progressed = state.done - this.start.done;
    if (elapsed <= 0 || progressed <= 0) return { elapsed };
    const rate = progressed / elapsed;
    return { rate, eta: Math.max(state.total - state.done, 0) / rate, elapsed };
  }
}

/** `1.3 tasks/min` or `12 tasks/s`, whichever reads better. */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined) return 'rate: measuring';
  if (rate >= 1) return `${rate.toPrecision(3)} tasks/s`;
  const perMinute = rate * 60;
  if (perMinute >= 1) return `${perMinute.toPrecision(3)} tasks/min`;
  return `${(perMinute * 60).toPrecision(3)} tasks/h`;
}

/**
 * The line printed for a progress state: `[task 3/12 · 41% of the run · 2.10 tasks/min · ETA 4m10s] message`.
 * Task numbers are 1-based and never exceed the total.
 */
export function progressLine(state: ProgressState, timing: { rate?: number; eta?: number }): string {
  const task = Math.min(Math.floor(state.done) + 1, state.total);
  const percent = state.total > 0 ? Math.floor((100 * state.done) / state.total) : 100;
  const eta = timing.eta !== undefined ? `ETA ${formatDuration(timing.eta)}` : 'ETA ?';
  return `[task ${task}/${state.total} · ${percent}% · ${formatRate(timing.rate)} · ${eta}] ${state.message}`;
}

/**
 * Progress for a log (non-TTY stderr): a line when a task starts, and while a task runs a line every `interval`
 * ms with the latest state (within-task fraction, rate, ETA), so a long task is never silent.
 */
export class ProgressLog {
  private readonly clock: ProgressClock;
  private latest?: ProgressState;
  private lastLine = 0;
  private lastTask = -1;
  private timer?: ReturnType<typeof setInterval>;

  constructor(
    private readonly write: (line: string) => void,
    private readonly interval: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.clock = new ProgressClock(now);
  }

  update(state: ProgressState): void {
    this.latest = state;
    const timing = this.clock.update(state);
    const task = Math.floor(state.done);
    if (task !== this.lastTask && Number.isInteger(state.done) && state.done < state.total) {
      this.lastTask = task;
      this.emit(timing);
      return;
    }
    if (this.now() - this.lastLine >= this.interval && state.done < state.total) this.emit(timing);
  }

  /** Starts the periodic line (it fires even when the running task reports nothing new). */
  start(): void {
    this.timer ??= setInterval(
      () => {
        if (this.latest && this.latest.done < this.latest.total && this.now() - this.lastLine >= this.interval)
          this.emit(this.clock.update(this.latest));
      },
      Math.max(50, Math.min(this.interval, 1000)),
    );
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private emit(timing: { rate?: number; eta?: number }): void {
    this.lastLine = this.now();
    this.write(progressLine(this.latest!, timing) + '\n');
  }
}
