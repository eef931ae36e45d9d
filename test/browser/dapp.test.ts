// Browser tests of the dApp: Debian's Chromium driven by playwright-core against the real stack started by
// the demo (`--keep-running`: local chain, deployed contracts, three 2-of-3 oracle operators, Vite).
//   PATH=$PWD/node_modules/.bin:$PATH node --import tsx --test test/browser/dapp.test.ts
// Chromium: apt-get install -y chromium (CHROMIUM_PATH overrides /usr/bin/chromium).
// Screenshots land in test-results/ (and docs/screenshots/ when RISKGATE_SCREENSHOTS=1).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, type Page, chromium } from "playwright-core";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const RESULTS = path.join(ROOT, "test-results");
const DOCS = path.join(ROOT, "docs", "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

type Ready = { web: string; rpc: string; oracle: string; sanctionedPayee: string; arbiter: string; report: string };

/** Dev accounts of the dApp's picker (Hardhat's default accounts). */
const ACCOUNT = { payerA: "5", payerB: "6", merchant: "7", arbiter: "4", sanctioned: "8" } as const;
const MERCHANT = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";

function startDemo(): Promise<{ child: ChildProcess; ready: Ready }> {
  // RISKGATE_ORACLE=daemon runs the same tests against three real riskgate daemons instead of the demo's operators.
  const oracle = process.env.RISKGATE_ORACLE === "daemon" ? ["--oracle", "daemon"] : [];
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", "--payments", "8", "--streams", "0", "--seed", "11", "--keep-running", ...oracle], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`demo not ready after 180 s:\n${err.slice(-3000)}`)), 180_000);
    child.stderr!.on("data", (b: Buffer) => {
      err += b.toString();
      const m = /RISKGATE_DEMO_READY (\{.*\})/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ child, ready: JSON.parse(m[1]) as Ready });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}:\n${err.slice(-3000)}`));
    });
  });
}

async function stopDemo(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(child.pid, "SIGTERM"); // the demo stops its own children (chain, Vite)
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(RESULTS, `${name}.png`), fullPage: true });
  if (process.env.RISKGATE_SCREENSHOTS === "1") await page.screenshot({ path: path.join(DOCS, `${name}.png`), fullPage: true });
}

async function elementShot(page: Page, selector: string, name: string): Promise<void> {
  await page.locator(selector).screenshot({ path: path.join(RESULTS, `${name}.png`) });
  if (process.env.RISKGATE_SCREENSHOTS === "1") await page.locator(selector).screenshot({ path: path.join(DOCS, `${name}.png`) });
}

async function useAccount(page: Page, index: string): Promise<void> {
  await page.selectOption("#dev-account", index);
  await page.waitForFunction((i) => document.querySelector("#account")?.getAttribute("title") !== null && (document.querySelector("#dev-account") as HTMLSelectElement).value === i, index);
  // The escrow list must show this account's escrows before a test diffs it (see createEscrow).
  await page.waitForFunction(() => {
    const list = document.querySelector("#escrows") as HTMLElement | null;
    return !list || list.dataset.account === document.querySelector("#account")?.getAttribute("title")?.toLowerCase();
  });
}

async function statusOf(page: Page): Promise<{ kind: string; text: string }> {
  return page.$eval("#status", (el) => ({ kind: (el as HTMLElement).dataset.kind ?? "", text: el.textContent ?? "" }));
}

async function waitStatus(page: Page, kinds: string[], timeout = 30_000): Promise<{ kind: string; text: string }> {
  await page.waitForFunction((k) => k.includes((document.querySelector("#status") as HTMLElement).dataset.kind ?? ""), kinds, { timeout });
  return statusOf(page);
}

/** Creates an escrow from the payer form; returns the new escrow's id (the newest one listed). */
async function createEscrow(page: Page, payee: string, amount: string): Promise<string> {
  const before = await page.$$eval("article.escrow", (els) => els.map((e) => (e as HTMLElement).dataset.escrow));
  await page.fill("#payee", payee);
  await page.fill("#amount", amount);
  await page.click("#create-escrow");
  const st = await waitStatus(page, ["ok", "error", "rejected"]);
  assert.equal(st.kind, "ok", st.text);
  await page.waitForFunction((b) => Array.from(document.querySelectorAll("article.escrow")).some((e) => !b.includes((e as HTMLElement).dataset.escrow)), before, { timeout: 15_000 });
  return page.$$eval("article.escrow", (els, b) => els.map((e) => (e as HTMLElement).dataset.escrow!).find((id) => !b.includes(id))!, before);
}

describe("dApp in Chromium against the local stack", { timeout: 600_000 }, () => {
  let demo: { child: ChildProcess; ready: Ready } | undefined;
  let browser: Browser;
  let page: Page;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
    mkdirSync(RESULTS, { recursive: true });
    if (process.env.RISKGATE_SCREENSHOTS === "1") mkdirSync(DOCS, { recursive: true });
    demo = await startDemo();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 390, height: 844 } }); // phone width
    page.on("pageerror", (e) => process.stderr.write(`pageerror: ${e.message}\n`));
    await page.goto(demo.ready.web);
    await page.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    if (demo) await stopDemo(demo.child);
  });

  it("a payer connects, funds an escrow with a permit, sees the oracle's verdict and releases it", async () => {
    await useAccount(page, ACCOUNT.payerA);
    await page.click("#faucet");
    assert.equal((await waitStatus(page, ["ok", "error"])).kind, "ok");
    await page.waitForFunction(() => document.querySelector("#balance")?.textContent?.startsWith("1,000"));

    const id = await createEscrow(page, MERCHANT, "120");
    const milestone = `li.milestone[data-escrow="${id}"][data-index="0"]`;
    // The verdict arrives live (2-of-3 attestation posted by the operators), with reasons in words.
    await page.waitForSelector(`${milestone} .verdict[data-decision="release"]`, { timeout: 30_000 });
    await elementShot(page, `article.escrow[data-escrow="${id}"]`, "payer-verdict");
    await page.click(`${milestone} button[data-action="release"]`);
    assert.equal((await waitStatus(page, ["ok", "error", "rejected"])).kind, "ok");
    await page.waitForSelector(`${milestone}[data-status="Released"]`, { timeout: 15_000 });
    await shot(page, "payer-released");
  });

  it("a payer streams to a merchant with a permit; the merchant watches it tick and withdraws under and over the allowance", async () => {
    await useAccount(page, ACCOUNT.payerA);
    await page.fill("#stream-recipient", MERCHANT);
    await page.fill("#stream-deposit", "60");
    await page.fill("#stream-minutes", "3");
    await page.fill("#stream-allowance", "2");
    await page.click("#create-stream");
    assert.equal((await waitStatus(page, ["ok", "error", "rejected"])).kind, "ok");

    await useAccount(page, ACCOUNT.merchant);
    const stream = "article.stream";
    await page.waitForSelector(`${stream} button[data-action="withdraw"]`, { timeout: 15_000 });
    const first = await page.textContent(`${stream} [data-field="streamed"]`);
    await page.waitForFunction((f) => document.querySelector('article.stream [data-field="streamed"]')?.textContent !== f, first, { timeout: 10_000 });
    await elementShot(page, stream, "stream-ticking");
    // Under the unattested allowance: no oracle round trip.
    await page.click(`${stream} button[data-action="withdraw"]`);
    const under = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(under.kind, "ok", under.text);
    // Over it: a pull-mode attestation signed 2-of-3 by the operators, passed inline.
    await page.waitForSelector(`${stream} button[data-action="withdraw-attested"]`, { timeout: 15_000 });
    await page.click(`${stream} button[data-action="withdraw-attested"]`);
    const over = await waitStatus(page, ["ok", "error", "rejected"], 60_000);
    assert.equal(over.kind, "ok", over.text);
    await page
      // More than the 2 USDC allowance has left the stream: the attested path paid above it.
      .waitForFunction(() => Number(/withdrawn ([\d.,]+)/.exec(document.querySelector('article.stream [data-field="streamed"]')?.textContent ?? "")?.[1]?.replace(/,/g, "") ?? 0) > 2, undefined, { timeout: 15_000 })
      .catch(async (err: unknown) => {
        throw new Error(`${(err as Error).message}\nstream: ${await page.textContent("article.stream")}\nstatus: ${await page.textContent("#status")}`);
      });
  });

  it("a high-risk payment (sanctioned payee) is frozen and the arbiter resolves it from the operator view", async () => {
    await useAccount(page, ACCOUNT.payerB);
    await page.click("#faucet");
    assert.equal((await waitStatus(page, ["ok", "error"])).kind, "ok");
    const id = await createEscrow(page, demo!.ready.sanctionedPayee, "300");
    const milestone = `li.milestone[data-escrow="${id}"][data-index="0"]`;
    await page.waitForSelector(`${milestone} .verdict[data-decision="freeze"]`, { timeout: 30_000 });
    const reasons = await page.textContent(`${milestone} .verdict`);
    assert.match(reasons ?? "", /sanctions\/deny list/);
    await page.click(`${milestone} button[data-action="release"]`);
    assert.equal((await waitStatus(page, ["ok", "error", "rejected"])).kind, "ok");
    await page.waitForSelector(`${milestone}[data-status="Frozen"]`, { timeout: 15_000 });
    await elementShot(page, `article.escrow[data-escrow="${id}"]`, "payer-frozen");

    await useAccount(page, ACCOUNT.arbiter);
    await page.click("#tab-operator");
    const item = `li.queue-item[data-escrow="${id}"][data-index="0"]`;
    await page.waitForSelector(`${item}[data-status="Frozen"]`, { timeout: 15_000 });
    await page.waitForSelector("#score-histogram rect");
    await page.waitForSelector("#health .op");
    await shot(page, "operator-queue");
    await page.click(`${item} button[data-action="resolve-refund"]`);
    assert.equal((await waitStatus(page, ["ok", "error", "rejected"])).kind, "ok");
    await page.waitForSelector(item, { state: "detached", timeout: 15_000 });
    await page.click("#tab-payer");
  });

  it("a payer disputes a pending milestone; after the deadline the rest is refunded to the payer", async () => {
    await useAccount(page, ACCOUNT.payerA);
    await page.selectOption("#milestones", "2");
    await page.fill("#deadline-hours", "0.003"); // ~11 s
    const id = await createEscrow(page, MERCHANT, "40");
    await page.selectOption("#milestones", "1");
    await page.fill("#deadline-hours", "168");
    const m0 = `li.milestone[data-escrow="${id}"][data-index="0"]`;
    const m1 = `li.milestone[data-escrow="${id}"][data-index="1"]`;
    await page.click(`${m0} button[data-action="dispute"]`);
    assert.equal((await waitStatus(page, ["ok", "error", "rejected"])).kind, "ok");
    await page.waitForSelector(`${m0}[data-status="Disputed"]`, { timeout: 15_000 });
    // Milestone 2 is never released; once the deadline passes anyone may refund it to the payer.
    await page.waitForSelector(`article.escrow[data-escrow="${id}"] button[data-action="refund"]`, { timeout: 60_000 });
    await page.click(`article.escrow[data-escrow="${id}"] button[data-action="refund"]`);
    assert.equal((await waitStatus(page, ["ok", "error", "rejected"])).kind, "ok");
    await page.waitForSelector(`${m1}[data-status="Refunded"]`, { timeout: 15_000 });
    await page.waitForSelector(`${m0}[data-status="Disputed"]`); // the disputed one stays for the arbiter
  });

  it("test_RevertWhen_PayerHasNoUSDC: a readable chain error is shown, nothing is created, and the banner is dismissible and cleared by a success or a tab switch", async () => {
    await useAccount(page, ACCOUNT.merchant);
    await page.waitForTimeout(1600); // one refresh cycle: the merchant's escrows (as payee) are listed
    const before = await page.$$eval("article.escrow", (els) => els.length);
    assert.ok(before >= 1, "the merchant sees the escrow paid to it in the first test");
    const failCreate = async (): Promise<{ kind: string; text: string }> => {
      await page.fill("#payee", demo!.ready.arbiter);
      await page.fill("#amount", "5000000");
      await page.click("#create-escrow");
      return waitStatus(page, ["ok", "error", "rejected"]);
    };
    const st = await failCreate();
    assert.equal(st.kind, "error", st.text);
    // One short line: the decoded custom error with the amounts in USDC; the raw text behind <details>.
    const line = (await page.textContent("#status .status-text")) ?? "";
    assert.match(line, /^Create escrow: Insufficient USDC balance: you have [\d,]+(\.\d{1,2})?, the escrow needs 5,000,000\. \(ERC20InsufficientBalance\)$/);
    assert.equal(await page.locator("#status details[open]").count(), 0, "details start collapsed");
    assert.match((await page.textContent("#status details pre")) ?? "", /createEscrowWithPermit/);
    await page.waitForTimeout(1600); // one refresh cycle
    assert.equal(await page.$$eval("article.escrow", (els) => els.length), before);
    await shot(page, "payer-chain-error");

    // Dismissed with its button (found by its accessible name).
    await page.getByRole("button", { name: "Dismiss message" }).click();
    assert.equal((await statusOf(page)).kind, "");
    assert.equal(await page.locator("#status").isVisible(), false);

    // A later successful action replaces it.
    assert.equal((await failCreate()).kind, "error");
    await page.click("#faucet");
    const ok = await waitStatus(page, ["ok", "error"]);
    assert.equal(ok.kind, "ok", ok.text);
    assert.doesNotMatch(ok.text, /Insufficient/);
    assert.equal(await page.locator("#status details").count(), 0);

    // Switching tabs clears it.
    assert.equal((await failCreate()).kind, "error");
    await page.click("#tab-operator");
    assert.equal((await statusOf(page)).kind, "");
    assert.equal(await page.locator("#status").isVisible(), false);
    await page.click("#tab-payer");
    assert.equal((await statusOf(page)).kind, "");
    await page.fill("#payee", MERCHANT); // leave the form as a payer would (the desktop screenshots show it)
    await page.fill("#amount", "250");
  });

  it("an injected EIP-1193 wallet connects; a rejected permit signature is shown as rejected, nothing sent", async () => {
    const wallet = await browser.newPage({ viewport: { width: 390, height: 844 } });
    // A minimal injected wallet: accounts and chain id from the page, reads forwarded to the RPC, and the
    // user refusing every signature (EIP-1193 error 4001).
    await wallet.addInitScript(
      ({ rpc, account }) => {
        let id = 0;
        (window as unknown as { ethereum: unknown }).ethereum = {
          async request({ method, params }: { method: string; params?: unknown[] }) {
            if (method === "eth_requestAccounts" || method === "eth_accounts") return [account];
            if (method === "eth_chainId") return "0x7a69";
            if (method.startsWith("eth_sign") || method === "personal_sign" || method === "eth_sendTransaction") {
              throw Object.assign(new Error("User rejected the request."), { code: 4001 });
            }
            const res = await fetch(rpc, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }) });
            const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
            if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
            return body.result;
          },
          on() {},
          removeListener() {},
        };
      },
      { rpc: demo!.ready.rpc, account: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc" },
    );
    await wallet.goto(demo!.ready.web);
    await wallet.waitForSelector("body[data-ready=true]", { timeout: 60_000 });
    await wallet.click("#connect");
    assert.equal((await waitStatus(wallet, ["ok", "error", "rejected"])).kind, "ok");
    assert.match((await wallet.textContent("#account")) ?? "", /Injected wallet: 0x9965/);
    await wallet.waitForTimeout(1600);
    const before = await wallet.$$eval("article.escrow", (els) => els.length);
    await wallet.fill("#payee", MERCHANT);
    await wallet.fill("#amount", "10");
    await wallet.click("#create-escrow");
    const st = await waitStatus(wallet, ["ok", "error", "rejected"]);
    assert.equal(st.kind, "rejected", st.text);
    assert.match(st.text, /rejected the request/);
    await wallet.waitForTimeout(1600);
    assert.equal(await wallet.$$eval("article.escrow", (els) => els.length), before);
    await wallet.screenshot({ path: path.join(RESULTS, "payer-rejected.png") });
    await wallet.close();
  });

  it("the demo's HTML report shows the summary and its three charts", async () => {
    const report = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await report.goto(`file://${demo!.ready.report}`);
    assert.equal(await report.locator("svg").count(), 3);
    assert.match((await report.textContent("table.summary")) ?? "", /Fraud caught/);
    await report.screenshot({ path: path.join(RESULTS, "demo-report.png"), fullPage: true });
    if (process.env.RISKGATE_SCREENSHOTS === "1") await report.screenshot({ path: path.join(DOCS, "demo-report.png"), fullPage: true });
    await report.close();
  });

  it("renders the operator view at desktop width", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.click("#tab-operator");
    await page.waitForSelector("#feed .feed-item");
    await shot(page, "operator-desktop");
    await page.click("#tab-payer");
    await page.waitForSelector("article.escrow");
    await shot(page, "payer-desktop");
  });
});
