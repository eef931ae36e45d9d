// Browser tests of the dApp: Debian's Chromium driven by playwright-core against the real stack started by
// the demo (`--keep-running`: local chain, deployed contracts, three 2-of-3 oracle operators, Vite).
//   PATH=$PWD/node_modules/.bin:$PATH node --import tsx --test test/browser/dapp.test.ts
// Chromium: apt-get install -y chromium (CHROMIUM_PATH overrides /usr/bin/chromium).
// Screenshots land in test-results/ (and docs/screenshots/ when RISKGATE_SCREENSHOTS=1).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, type Page, chromium } from "playwright-core";
import { type Abi, type Address, type Hex, type PublicClient, createPublicClient, createWalletClient, formatUnits, http, toFunctionSelector } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { riskAttestationPrimaryType, riskAttestationTypes, riskgateDomain } from "../../oracle/src/attestation/typedData.js";
import type { Deployments } from "../../deploy/types.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const RESULTS = path.join(ROOT, "test-results");
const DOCS = path.join(ROOT, "docs", "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

type Ready = { web: string; rpc: string; oracle: string; sanctionedPayee: string; arbiter: string; report: string; deploymentsFile: string };

/** Dev accounts of the dApp's picker (Hardhat's default accounts). */
const ACCOUNT = { payerA: "5", payerB: "6", merchant: "7", arbiter: "4", sanctioned: "8" } as const;
const MERCHANT = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";
/** Addresses of the dev accounts used to check balances on the chain. */
const ADDRESS = { payerA: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", payerB: "0x976EA74026E726554dB657fA54763abd0C3a0aa9", merchant: MERCHANT } as const;

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
  // The escrow and stream lists must show this account's items before a test diffs them (see createEscrow,
  // createStream). Both are refreshed by the payer view only: switch accounts on the payer tab.
  await page.waitForFunction(() => {
    const me = document.querySelector("#account")?.getAttribute("title")?.toLowerCase();
    return ["#escrows", "#streams"].every((id) => {
      const list = document.querySelector(id) as HTMLElement | null;
      return !list || list.dataset.account === me;
    });
  });
}

async function faucet(page: Page): Promise<void> {
  await page.click("#faucet");
  const st = await waitStatus(page, ["ok", "error"]);
  assert.equal(st.kind, "ok", st.text);
}

/** The dApp's USDC formatting (ui.ts `usdc`). */
const usdcText = (x: bigint): string => Number(formatUnits(x, 6)).toLocaleString("en-US", { maximumFractionDigits: 6 });

/** Starts a stream from the payer form; returns the new stream's id (the one the list did not show before). */
async function createStream(page: Page, o: { recipient: string; deposit: string; minutes: string; allowance: string; funding?: "permit" | "approve" }): Promise<string> {
  const before = await page.$$eval("article.stream", (els) => els.map((e) => (e as HTMLElement).dataset.stream));
  await page.fill("#stream-recipient", o.recipient);
  await page.fill("#stream-deposit", o.deposit);
  await page.fill("#stream-minutes", o.minutes);
  await page.fill("#stream-allowance", o.allowance);
  await page.selectOption("#stream-funding", o.funding ?? "permit");
  await page.click("#create-stream");
  const st = await waitStatus(page, ["ok", "error", "rejected"]);
  assert.equal(st.kind, "ok", st.text);
  await page.selectOption("#stream-funding", "permit");
  await page.waitForFunction((b) => Array.from(document.querySelectorAll("article.stream")).some((e) => !b.includes((e as HTMLElement).dataset.stream)), before, { timeout: 15_000 });
  return page.$$eval("article.stream", (els, b) => els.map((e) => (e as HTMLElement).dataset.stream!).find((id) => !b.includes(id))!, before);
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
  /** Direct chain reads, to check what the dApp shows against the contracts' own events and balances. */
  let chain: PublicClient;
  let d: Deployments;
  const balanceAt = (who: string, blockNumber: bigint): Promise<bigint> =>
    chain.readContract({ address: d.token as Address, abi: d.contracts.MockUSDC!.abi as Abi, functionName: "balanceOf", args: [who], blockNumber }) as Promise<bigint>;
  /** The single `eventName` log of the PaymentStream for `streamId`. */
  const streamEvent = async <T>(eventName: string, streamId: string): Promise<{ args: T; blockNumber: bigint; transactionHash: Hex }> => {
    const logs = await chain.getContractEvents({ address: d.contracts.PaymentStream.address, abi: d.contracts.PaymentStream.abi as Abi, eventName, args: { streamId: BigInt(streamId) }, fromBlock: BigInt(d.startBlock) });
    assert.equal(logs.length, 1, `${eventName} of stream ${streamId}`);
    const l = logs[0] as unknown as { args: T; blockNumber: bigint; transactionHash: Hex };
    return l;
  };

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
    mkdirSync(RESULTS, { recursive: true });
    if (process.env.RISKGATE_SCREENSHOTS === "1") mkdirSync(DOCS, { recursive: true });
    demo = await startDemo();
    d = JSON.parse(readFileSync(demo.ready.deploymentsFile, "utf8")) as Deployments;
    chain = createPublicClient({ transport: http(demo.ready.rpc) });
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
      // Any payee but the arbiter (an arbiter can never be a party, gate rule G6.1).
      await page.fill("#payee", "0x1111111111111111111111111111111111111111");
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

  it("a sender cancels an approve-funded stream after seeing the split; the refund reaches the sender and the recipient withdraws the accrued rest", async () => {
    await useAccount(page, ACCOUNT.payerA);
    await faucet(page);
    const id = await createStream(page, { recipient: MERCHANT, deposit: "30", minutes: "2", allowance: "100", funding: "approve" });
    // Funded the classic way: createLinear (no permit) after an approve of exactly the deposit.
    const created = await streamEvent<{ sender: string }>("CreateLinearStream", id);
    const createAbi = (d.contracts.PaymentStream.abi as Abi).find((x) => x.type === "function" && x.name === "createLinear")!;
    assert.equal((await chain.getTransaction({ hash: created.transactionHash })).input.slice(0, 10), toFunctionSelector(createAbi as never));
    assert.equal(created.args.sender.toLowerCase(), ADDRESS.payerA.toLowerCase());

    const st = `article.stream[data-stream="${id}"]`;
    await page.waitForSelector(`${st}[data-role="sender"][data-state="Streaming"] button[data-action="cancel"]`, { timeout: 15_000 });
    await page.waitForTimeout(3000); // let something accrue (0.25 USDC/s)
    await page.click(`${st} button[data-action="cancel"]`);
    // The confirmation shows the split from the contract's own view (amountsOf.refundable) before anything is sent.
    const split = `${st} [data-field="split"]`;
    await page.waitForSelector(split);
    assert.match((await page.textContent(split)) ?? "", /^Cancel now: [\d.,]+ USDC \(accrued, not yet withdrawn\) stays with the recipient, [\d.,]+ USDC returns to you\./);
    const preview = await page.$eval(split, (el) => ({ toRecipient: BigInt((el as HTMLElement).dataset.toRecipient!), refund: BigInt((el as HTMLElement).dataset.refund!) }));
    assert.ok(preview.toRecipient > 0n && preview.refund > 0n, `split ${preview.toRecipient} / ${preview.refund}`);
    assert.equal(preview.toRecipient + preview.refund, 30_000_000n);
    await elementShot(page, st, "stream-cancel-confirm");
    await page.click(`${st} button[data-action="confirm-cancel"]`);
    const done = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(done.kind, "ok", done.text);

    // The chain's split: everything deposited is accounted for, the recipient's share can only have grown
    // since the preview (time moved on), and the sender's balance grew by exactly the refund in that block.
    const cancel = await streamEvent<{ caller: string; refunded: bigint; recipientAmount: bigint }>("CancelStream", id);
    const { refunded, recipientAmount } = cancel.args;
    assert.equal(cancel.args.caller.toLowerCase(), ADDRESS.payerA.toLowerCase());
    assert.equal(refunded + recipientAmount, 30_000_000n);
    assert.ok(recipientAmount >= preview.toRecipient && refunded <= preview.refund);
    assert.equal(await page.textContent("#status .status-text"), `Cancel stream #${id}: confirmed: ${usdcText(recipientAmount)} USDC stays with the recipient to withdraw, ${usdcText(refunded)} USDC refunded to you.`);
    const senderAfter = await balanceAt(ADDRESS.payerA, cancel.blockNumber);
    assert.equal(senderAfter - (await balanceAt(ADDRESS.payerA, cancel.blockNumber - 1n)), refunded);
    await page.waitForSelector(`${st}[data-state="Canceled"]`, { timeout: 15_000 });
    assert.equal(await page.locator(`${st} button[data-action="cancel"]`).count(), 0);
    await page.waitForFunction((t) => document.querySelector("#balance")?.textContent === t, `${usdcText(senderAfter)} USDC`, { timeout: 15_000 });

    // The recipient withdraws what had accrued; its balance grows by the net of exactly that amount.
    await useAccount(page, ACCOUNT.merchant);
    const withdraw = `${st}[data-state="Canceled"] button[data-action="withdraw"]`;
    await page.waitForSelector(withdraw, { timeout: 15_000 });
    assert.equal(await page.textContent(withdraw), `Withdraw ${usdcText(recipientAmount)} USDC`);
    await page.click(withdraw);
    const w = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(w.kind, "ok", w.text);
    const paid = await streamEvent<{ gross: bigint; net: bigint }>("WithdrawStream", id);
    assert.equal(paid.args.gross, recipientAmount);
    assert.equal((await balanceAt(ADDRESS.merchant, paid.blockNumber)) - (await balanceAt(ADDRESS.merchant, paid.blockNumber - 1n)), paid.args.net);
    await page.waitForFunction((sel) => /withdrawable 0$/.test(document.querySelector(`${sel} [data-field="streamed"]`)?.textContent ?? ""), st, { timeout: 15_000 });
    assert.equal(await page.locator(`${st} button[data-action="withdraw"]`).count(), 0);
  });

  it("a sender renounces a stream: after confirming, it is irrevocable and offers no cancel", async () => {
    await useAccount(page, ACCOUNT.payerA);
    await faucet(page);
    const id = await createStream(page, { recipient: MERCHANT, deposit: "5", minutes: "30", allowance: "50" });
    const st = `article.stream[data-stream="${id}"]`;
    await page.waitForSelector(`${st} button[data-action="renounce"]`, { timeout: 15_000 });
    await page.click(`${st} button[data-action="renounce"]`);
    // Backing out sends nothing.
    await page.click(`${st} [data-confirm="renounce"] button[data-action="confirm-dismiss"]`);
    await page.waitForSelector(`${st} button[data-action="renounce"]`);
    await page.click(`${st} button[data-action="renounce"]`);
    assert.match((await page.textContent(`${st} [data-confirm="renounce"]`)) ?? "", /You can never cancel it afterwards/);
    await page.click(`${st} button[data-action="confirm-renounce"]`);
    const done = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(done.kind, "ok", done.text);
    await streamEvent("RenounceStream", id);
    await page.waitForSelector(`${st}[data-state="Irrevocable"]`, { timeout: 15_000 });
    assert.equal(await page.locator(`${st} button[data-action="cancel"]`).count(), 0);
  });

  it("streams to a sanctioned recipient are frozen by the oracle's Freeze (posted, applied by the sender; pull-mode, on the recipient's withdrawal over the allowance); the operator queue lists them with the reasons, and only the arbiter clears one and cancels the other", async () => {
    await useAccount(page, ACCOUNT.payerB);
    await faucet(page);
    const sanctioned = demo!.ready.sanctionedPayee;
    const toClear = await createStream(page, { recipient: sanctioned, deposit: "40", minutes: "3", allowance: "1" });
    const toCancel = await createStream(page, { recipient: sanctioned, deposit: "40", minutes: "3", allowance: "1" });
    const frozenNow = async (id: string, text: string): Promise<void> => {
      const st = `article.stream[data-stream="${id}"]`;
      assert.match(text, /the oracle's verdict froze the stream \(.*sanctions\/deny list.*\)\. Nothing was paid/);
      await page.waitForSelector(`${st}[data-state="Frozen"]`, { timeout: 15_000 });
      assert.match((await page.textContent(`${st} .verdict.freeze`)) ?? "", /sanctions\/deny list/);
      const ev = await streamEvent<{ score: number }>("FreezeStream", id);
      assert.ok(ev.args.score >= d.policy.freezeAt);
    };

    // Push: the operators attest a new linear stream's deposit and post the verdict; the sender sees the
    // Freeze with its reasons and applies it at once (anyone may), instead of paying on until a withdrawal.
    const posted = `article.stream[data-stream="${toCancel}"]`;
    await page.waitForSelector(`${posted} [data-field="posted"][data-decision="freeze"]`, { timeout: 30_000 });
    assert.match((await page.textContent(`${posted} [data-field="posted"]`)) ?? "", /sanctions\/deny list/);
    await page.click(`${posted} button[data-action="apply-freeze"]`);
    const applied = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(applied.kind, "ok", applied.text);
    await frozenNow(toCancel, applied.text);
    assert.equal(await page.locator(`${posted} button[data-action="cancel"]`).count(), 0, "a frozen stream is the arbiter's to cancel");
    await elementShot(page, posted, "stream-frozen");

    // Pull: the recipient withdraws above its 1 USDC allowance; the oracle's attestation is a Freeze, and the
    // contract freezes the stream instead of paying.
    await useAccount(page, ACCOUNT.sanctioned);
    const pulled = `article.stream[data-stream="${toClear}"]`;
    await page.waitForSelector(`${pulled} button[data-action="withdraw-attested"]`, { timeout: 30_000 });
    await page.click(`${pulled} button[data-action="withdraw-attested"]`);
    const frozen = await waitStatus(page, ["ok", "error", "rejected"], 60_000);
    assert.equal(frozen.kind, "ok", frozen.text);
    await frozenNow(toClear, frozen.text);

    // Anyone sees the queue; the buttons are disabled for a non-arbiter.
    await page.click("#tab-operator");
    const item = (id: string) => `li.queue-item[data-stream="${id}"][data-status="Frozen"]`;
    for (const id of [toClear, toCancel]) {
      await page.waitForSelector(item(id), { timeout: 15_000 });
      assert.match((await page.textContent(`${item(id)} .reasons`)) ?? "", /sanctions\/deny list/);
      assert.equal(await page.isDisabled(`${item(id)} button[data-action="stream-clear"]`), true);
      assert.equal(await page.isDisabled(`${item(id)} button[data-action="stream-cancel"]`), true);
    }
    await page.click("#tab-payer");

    await useAccount(page, ACCOUNT.arbiter);
    await page.click("#tab-operator");
    await page.waitForSelector(`${item(toClear)} button[data-action="stream-clear"]:not([disabled])`, { timeout: 15_000 });
    await elementShot(page, item(toCancel), "operator-frozen-stream");
    await page.click(`${item(toClear)} button[data-action="stream-clear"]`);
    const cleared = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(cleared.kind, "ok", cleared.text);
    await page.waitForSelector(item(toClear), { state: "detached", timeout: 15_000 });
    const clear = await streamEvent<{ arbiter: string }>("ClearFreeze", toClear);
    assert.equal(clear.args.arbiter.toLowerCase(), demo!.ready.arbiter.toLowerCase());

    // Cancel splits by what had accrued when it froze: the button's figures are the contract's.
    const label = (await page.textContent(`${item(toCancel)} button[data-action="stream-cancel"]`)) ?? "";
    await page.click(`${item(toCancel)} button[data-action="stream-cancel"]`);
    const canceled = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(canceled.kind, "ok", canceled.text);
    await page.waitForSelector(item(toCancel), { state: "detached", timeout: 15_000 });
    const cancel = await streamEvent<{ caller: string; refunded: bigint; recipientAmount: bigint }>("CancelStream", toCancel);
    assert.equal(cancel.args.caller.toLowerCase(), demo!.ready.arbiter.toLowerCase());
    assert.equal(cancel.args.refunded + cancel.args.recipientAmount, 40_000_000n); // nothing was withdrawn
    assert.equal(label, `Cancel: ${usdcText(cancel.args.recipientAmount)} to recipient, ${usdcText(cancel.args.refunded)} back to sender`);
    assert.equal((await balanceAt(ADDRESS.payerB, cancel.blockNumber)) - (await balanceAt(ADDRESS.payerB, cancel.blockNumber - 1n)), cancel.args.refunded);

    // The sender sees one stream running again and the other canceled.
    await page.click("#tab-payer");
    await useAccount(page, ACCOUNT.payerB);
    await page.waitForSelector(`article.stream[data-stream="${toClear}"][data-state="Streaming"]`, { timeout: 15_000 });
    await page.waitForSelector(`article.stream[data-stream="${toCancel}"][data-state="Canceled"]`, { timeout: 15_000 });
  });

  it("a payer funds an escrow with approve + transferFrom instead of a permit (an amount above the balance is refused before any approve); the oracle attests it as usual", async () => {
    await useAccount(page, ACCOUNT.payerA);
    await faucet(page);
    await page.selectOption("#escrow-funding", "approve");
    assert.equal(await page.textContent("#create-escrow"), "Approve & create escrow");
    // More than the balance: refused before any approve is sent (checked below on the chain).
    await page.fill("#payee", MERCHANT);
    await page.fill("#amount", "5000000");
    await page.click("#create-escrow");
    const refused = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(refused.kind, "error", refused.text);
    assert.match(refused.text, /Insufficient USDC balance: you have [\d,.]+, the escrow needs 5,000,000\./);
    const id = await createEscrow(page, MERCHANT, "15").finally(() => page.selectOption("#escrow-funding", "permit"));
    assert.equal(await page.textContent("#create-escrow"), "Sign permit & create escrow");

    const escrowAbi = d.contracts.PaymentEscrow.abi as Abi;
    const [created] = await chain.getContractEvents({ address: d.contracts.PaymentEscrow.address, abi: escrowAbi, eventName: "CreateEscrow", args: { escrowId: BigInt(id) }, fromBlock: BigInt(d.startBlock) });
    const createAbi = escrowAbi.find((x) => x.type === "function" && x.name === "createEscrow")!;
    assert.equal((await chain.getTransaction({ hash: created.transactionHash! })).input.slice(0, 10), toFunctionSelector(createAbi as never));
    // The approve preceded it, for exactly the total, and the escrow pulled all of it.
    const approvals = await chain.getContractEvents({ address: d.token as Address, abi: d.contracts.MockUSDC!.abi as Abi, eventName: "Approval", args: { owner: ADDRESS.payerA, spender: d.contracts.PaymentEscrow.address }, fromBlock: BigInt(d.startBlock), toBlock: created.blockNumber! - 1n });
    const values = approvals.map((a) => (a as unknown as { args: { value: bigint } }).args.value);
    assert.equal(values.at(-1), 15_000_000n);
    assert.ok(!values.includes(5_000_000_000_000n), "no approve for the refused amount");
    const left = await chain.readContract({ address: d.token as Address, abi: d.contracts.MockUSDC!.abi as Abi, functionName: "allowance", args: [ADDRESS.payerA, d.contracts.PaymentEscrow.address] });
    assert.equal(left, 0n);

    // The daemons attest it like any escrow (CreateEscrow is the same event). Which decision depends on the
    // payer's history so far (earlier tests pay the merchant too: velocity), so any verdict will do.
    const m0 = `li.milestone[data-escrow="${id}"][data-index="0"]`;
    await page.waitForSelector(["release", "hold", "freeze"].map((x) => `${m0} .verdict[data-decision="${x}"]`).join(", "), { timeout: 30_000 }).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}\nmilestone: ${await page.textContent(m0)}`);
    });
  });

  it("G4: a Hold on a stream is recorded when the recipient presents it (nothing paid), shown with its end; after the window the recipient finalizes and is paid", async () => {
    await useAccount(page, ACCOUNT.merchant);
    await faucet(page);
    const id = await createStream(page, { recipient: ADDRESS.payerB, deposit: "20", minutes: "2", allowance: "1" });
    // The operators' own verdict for seq 0 first (a Release), then a newer Hold signed by two of the three
    // operators (the demo's operators are dev accounts 1-3) and posted: the newest verdict governs (G2).
    const stream = d.contracts.PaymentStream;
    const amounts = (await chain.readContract({ address: stream.address, abi: stream.abi as Abi, functionName: "amountsOf", args: [BigInt(id)] })) as { subject: Hex };
    const info = (await chain.readContract({ address: stream.address, abi: stream.abi as Abi, functionName: "getStream", args: [BigInt(id)] })) as { sender: Address; recipient: Address };
    const oracle = d.contracts.RiskOracle;
    // Wait for the operators' own (pre-posted) verdict of seq 0, so the Hold below is the newer one.
    for (let i = 0; ; i++) {
      const logs = await chain.getContractEvents({ address: oracle.address as Address, abi: oracle.abi as Abi, eventName: "PostAttestation", args: { subject: amounts.subject }, fromBlock: BigInt(d.startBlock) });
      if (logs.some((l) => ((l as unknown as { args: { consumer: Address } }).args.consumer ?? "").toLowerCase() === stream.address.toLowerCase())) break;
      assert.ok(i < 60, "the operators posted no verdict for the stream's deposit");
      await new Promise((r) => setTimeout(r, 500));
    }
    const mnemonic = "test test test test test test test test test test test junk";
    const operators = [1, 2, 3].map((i) => mnemonicToAccount(mnemonic, { addressIndex: i }));
    const signerSet = operators.map((o) => o.address).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
    const latest = await chain.getBlock();
    const att = {
      consumer: stream.address as Address,
      subject: amounts.subject,
      payer: info.sender,
      payee: info.recipient,
      token: d.token as Address,
      amount: 20_000_000n,
      score: Math.floor((d.policy.allowBelow + d.policy.freezeAt) / 2),
      reasons: 0,
      modelId: `0x${"00".repeat(32)}` as Hex,
      issuedAt: latest.timestamp + 2n,
      expiresAt: latest.timestamp + 600n,
      nonce: `0x${"ab".repeat(32)}` as Hex,
    };
    const domain = riskgateDomain(Number(await chain.getChainId()), oracle.address as Address);
    const signatures = await Promise.all(
      signerSet.map((who) => {
        const op = operators.find((o) => o.address === who)!;
        return op.address === operators[2]!.address ? ("0x" as Hex) : op.signTypedData({ domain, types: riskAttestationTypes, primaryType: riskAttestationPrimaryType, message: att });
      }),
    );
    const poster = createWalletClient({ account: mnemonicToAccount(mnemonic, { addressIndex: 0 }), transport: http(demo!.ready.rpc) });
    await chain.request({ method: "evm_mine" as never, params: [] as never });
    await chain.request({ method: "evm_mine" as never, params: [] as never });
    const posted = await poster.writeContract({ chain: null, address: oracle.address as Address, abi: oracle.abi as Abi, functionName: "postAttestation", args: [att, signerSet, signatures] });
    assert.equal((await chain.waitForTransactionReceipt({ hash: posted })).status, "success");

    await useAccount(page, ACCOUNT.payerB);
    const st = `article.stream[data-stream="${id}"]`;
    await page.waitForSelector(`${st} [data-field="posted"][data-decision="hold"]`, { timeout: 30_000 }).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}\nstream: ${await page.textContent(st)}`);
    });
    await page.click(`${st} button[data-action="withdraw-posted"]`);
    const recorded = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(recorded.kind, "ok", recorded.text);
    assert.match(recorded.text, /on hold until .*Nothing was paid yet/);
    const hold = await streamEvent<{ holdUntil: number }>("HoldStream", id);
    await page.waitForSelector(`${st} [data-field="hold"][data-hold-until="${hold.args.holdUntil}"]`, { timeout: 15_000 });
    assert.equal(await page.locator(`${st} button[data-action="finalize-hold"]`).count(), 0, "no finalize during the window");

    // The window passes on the chain's clock; the contract re-checks the verdict with the oracle and pays.
    await chain.request({ method: "evm_increaseTime" as never, params: [d.policy.holdWindow + 1] as never });
    await chain.request({ method: "evm_mine" as never, params: [] as never });
    await page.waitForSelector(`${st} button[data-action="finalize-hold"]`, { timeout: 15_000 });
    await page.click(`${st} button[data-action="finalize-hold"]`);
    const done = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(done.kind, "ok", done.text);
    const paid = await streamEvent<{ gross: bigint; net: bigint }>("WithdrawStream", id);
    assert.ok(paid.args.gross > 1_000_000n && paid.args.gross <= 20_000_000n, `above the allowance, within the held cap: ${paid.args.gross}`);
    assert.equal(await page.textContent("#status .status-text"), `Finalize the hold: confirmed, ${usdcText(paid.args.net)} USDC paid.`);
  });

  it("a recipient withdraws above its allowance with the verdict the operators posted (push mode, no oracle API round trip)", async () => {
    await useAccount(page, ACCOUNT.merchant);
    await faucet(page);
    const id = await createStream(page, { recipient: ADDRESS.payerB, deposit: "20", minutes: "2", allowance: "1" });
    await useAccount(page, ACCOUNT.payerB);
    const st = `article.stream[data-stream="${id}"]`;
    await page.waitForSelector(`${st} [data-field="posted"][data-decision="release"]`, { timeout: 30_000 }).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}\nstream: ${await page.textContent(st)}`);
    });
    await page.waitForSelector(`${st} button[data-action="withdraw-posted"]`, { timeout: 30_000 });
    await page.click(`${st} button[data-action="withdraw-posted"]`);
    const done = await waitStatus(page, ["ok", "error", "rejected"]);
    assert.equal(done.kind, "ok", done.text);
    const used = await streamEvent<{ decision: number; subject: Hex }>("UseAttestation", id);
    assert.equal(used.args.decision, 1); // Attestation.Decision.Release
    assert.equal(BigInt(used.args.subject), BigInt(id) << 64n); // seq 0: the deposit's pre-posted verdict
    const paid = await streamEvent<{ gross: bigint; net: bigint }>("WithdrawStream", id);
    assert.ok(paid.args.gross > 1_000_000n, `above the 1 USDC allowance: ${paid.args.gross}`);
    assert.equal(await page.textContent("#status .status-text"), `Withdraw with the posted verdict: confirmed, ${usdcText(paid.args.net)} USDC paid.`);
  });
});
