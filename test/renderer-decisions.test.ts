/**
 * Decisions in real Chromium through `proofdesk serve` on the demo: approve a pending decision and
 * watch its blocking reason clear and its N-of-M count rise, then revoke it; disabled buttons say
 * why. Screenshots go to test-results/.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  consoleErrorsOf,
  describeWithChromium,
  openRenderer,
  screenshotDir,
  useDemoTwin,
} from './support/renderer-harness';

describeWithChromium('decisions in Chromium', () => {
  const twin = useDemoTwin();

  it('approve clears the blocking reason and raises N-of-M; revoke takes it back', async () => {
    const page = await openRenderer(twin.browser, twin.server.url);
    await page.getByRole('tab', { name: 'Decisions' }).click();
    await page.getByRole('button', { name: /Rotate production database credentials/ }).click();
    const detail = page.getByRole('region', { name: 'Decision detail' });
    await expect.poll(() => detail.getByText('MISSING_APPROVALS').count()).toBe(1);
    await expect.poll(() => detail.getByLabel('1 of 2 approvals counted').count()).toBe(1);
    const approve = page.getByRole('button', { name: 'Approve', exact: true });
    const revoke = page.getByRole('button', { name: 'Revoke', exact: true });
    expect(await revoke.isDisabled()).toBe(true);
    expect(await page.locator('#revoke-why').textContent()).toBe(
      'You have no standing approval to revoke.',
    );

    await page.getByLabel('Comment').fill('Rotation window agreed with the DBA team');
    await approve.click();
    await expect.poll(() => detail.getByLabel('2 of 2 approvals counted').count()).toBe(1);
    await expect.poll(() => detail.getByText('None: ready to execute.').count()).toBe(1);
    expect(await approve.isDisabled()).toBe(true);
    expect(await page.locator('#approve-why').textContent()).toBe(
      'You have already approved this decision.',
    );
    await expect
      .poll(() => detail.getByText(/you@acme\.example · signed, verified/).count())
      .toBe(1);
    await page.screenshot({ path: join(screenshotDir, 'decisions-approved.png'), fullPage: true });

    await page.getByLabel('Comment').fill('Ticket was for the wrong cluster');
    await revoke.click();
    await expect.poll(() => detail.getByLabel('1 of 2 approvals counted').count()).toBe(1);
    await expect.poll(() => detail.getByText('MISSING_APPROVALS').count()).toBe(1);
    await expect.poll(() => detail.getByText(/REVOKED · you@acme\.example/).count()).toBe(1);
    expect(consoleErrorsOf(page)).toEqual([]);
    await page.close();
  });

  it('an executed decision cannot be approved, and says why', async () => {
    const page = await openRenderer(twin.browser, twin.server.url, 'dark');
    await page.getByRole('tab', { name: 'Decisions' }).click();
    await page.getByRole('button', { name: /Enable PII redaction/ }).click();
    const approve = page.getByRole('button', { name: 'Approve', exact: true });
    await expect
      .poll(() => page.locator('#approve-why').textContent())
      .toBe('A decision that is completed cannot be approved.');
    expect(await approve.isDisabled()).toBe(true);
    await page.screenshot({
      path: join(screenshotDir, 'decisions-executed-dark.png'),
      fullPage: true,
    });
    await page.close();
  });
});
