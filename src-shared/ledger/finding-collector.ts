import type { FindingCode } from '../check-code';
import type { Finding } from '../verification-report';

/**
 * Keeps every finding up to a per-code cap and counts the rest, so a hostile ledger with a million
 * bad rows cannot exhaust memory while every kind of problem is still reported with its total.
 */
export class FindingCollector {
  private readonly kept: Finding[] = [];
  private readonly counts = new Map<FindingCode, number>();

  constructor(readonly capPerCode: number) {}

  add(finding: Finding): void {
    const count = (this.counts.get(finding.code) ?? 0) + 1;
    this.counts.set(finding.code, count);
    if (count <= this.capPerCode) this.kept.push(finding);
  }

  addAll(
    findings: readonly Finding[],
    counts: Readonly<Partial<Record<FindingCode, number>>>,
  ): void {
    for (const finding of findings) {
      const count = (this.counts.get(finding.code) ?? 0) + 1;
      this.counts.set(finding.code, count);
      if (count <= this.capPerCode) this.kept.push(finding);
    }
    // Findings a range dropped at its own cap still count towards the totals.
    for (const [code, total] of Object.entries(counts) as [FindingCode, number][]) {
      this.addUnlisted(code, total - findings.filter((finding) => finding.code === code).length);
    }
  }

  /** Counts findings known only by number. */
  addUnlisted(code: FindingCode, howMany: number): void {
    if (howMany > 0) this.counts.set(code, (this.counts.get(code) ?? 0) + howMany);
  }

  get findings(): readonly Finding[] {
    return this.kept;
  }

  countOf(code: FindingCode): number {
    return this.counts.get(code) ?? 0;
  }

  countsRecord(): Partial<Record<FindingCode, number>> {
    return Object.fromEntries(this.counts);
  }

  /** Codes whose total exceeds what was kept. */
  cappedCodes(): { code: FindingCode; total: number }[] {
    return [...this.counts]
      .filter(([, total]) => total > this.capPerCode)
      .map(([code, total]) => ({ code, total }));
  }
}
