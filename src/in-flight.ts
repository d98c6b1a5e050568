/** Work under way in the background that shutdown and App.idle() wait out: one set of promises. */
export class InFlight {
  private readonly work = new Set<Promise<unknown>>();

  get busy(): boolean {
    return this.work.size > 0;
  }

  /** Tracks `work` until it settles (fulfilled or rejected) and hands it back. */
  track<T>(work: Promise<T>): Promise<T> {
    this.work.add(work);
    const done = () => this.work.delete(work);
    void work.then(done, done);
    return work;
  }

  /** Resolves once nothing tracked is under way, including work started while it waited. */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }
}
