// Riskgate dApp entry: load the runtime config and the deployments file, then the payer and operator views.
import { DEV_ACCOUNTS, LOCAL_CHAIN_ID, type Session, connectDev, connectInjected, createSession, devAccount, injectedProvider } from "./chain.js";
import { loadConfig, loadDeployments } from "./config.js";
import { renderOperator } from "./operator.js";
import { renderPayer } from "./payer.js";
import { act, clearFinishedStatus, h, registerErrors, setStatus, short } from "./ui.js";

async function boot(): Promise<void> {
  setStatus("info", "Loading configuration…");
  let s: Session;
  try {
    const cfg = await loadConfig();
    const d = await loadDeployments(cfg.deploymentsUrl);
    s = createSession(cfg, d);
    registerErrors(s.abi.oracle, s.abi.escrow, s.abi.stream, s.abi.token);
    await s.publicClient.getBlockNumber();
  } catch (err) {
    setStatus("error", `Cannot start: ${(err as Error).message.split("\n")[0]}`);
    return;
  }
  setStatus("info", `Connected to chain ${s.d.chainId}. Choose an account to start.`);

  const views = { payer: document.getElementById("view-payer")!, operator: document.getElementById("view-operator")! };
  let active: keyof typeof views = "payer";
  const refreshAll = (): void => void (active === "payer" ? payer.refresh() : operator.refresh());
  const payer = renderPayer(s, views.payer, refreshAll);
  const operator = renderOperator(s, views.operator, refreshAll);

  for (const tab of document.querySelectorAll<HTMLButtonElement>(".tab")) {
    tab.addEventListener("click", () => {
      active = tab.dataset.view as keyof typeof views;
      for (const t of document.querySelectorAll(".tab")) t.classList.toggle("active", t === tab);
      views.payer.hidden = active !== "payer";
      views.operator.hidden = active !== "operator";
      clearFinishedStatus(); // a message belongs to the view it came from
      refreshAll();
    });
  }

  const walletBox = document.getElementById("wallet")!;
  const drawWallet = (): void => {
    const who = s.wallet ? h("span", { id: "account", class: "mono", title: s.wallet.address }, `${s.wallet.label}: ${short(s.wallet.address)}`) : h("span", { class: "hint" }, "Not connected");
    const parts: (HTMLElement | null)[] = [who];
    if (s.d.chainId === LOCAL_CHAIN_ID) {
      const pick = h(
        "select",
        { id: "dev-account", "aria-label": "Dev account (local chain only)" },
        h("option", { value: "" }, "Dev account…"),
        ...DEV_ACCOUNTS.map((a) => h("option", { value: String(a.index), selected: s.wallet?.address === devAccount(a.index).address }, `${a.label} ${short(devAccount(a.index).address)}`)),
      );
      pick.addEventListener("change", () => {
        if (!pick.value) return;
        s.wallet = connectDev(s, Number(pick.value));
        setStatus("ok", `Using the local dev account ${s.wallet.label} (${s.wallet.address}).`);
        drawWallet();
        refreshAll();
      });
      parts.push(pick);
    }
    const connect = h("button", { id: "connect", class: "secondary", disabled: !injectedProvider(), title: injectedProvider() ? "" : "No injected wallet found" }, "Connect wallet");
    connect.addEventListener("click", () =>
      void act("Connect wallet", async () => {
        s.wallet = await connectInjected(s);
        drawWallet();
        refreshAll();
      }),
    );
    parts.push(connect);
    walletBox.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  };
  drawWallet();

  // A preselected dev account (?account=5) makes links and tests land ready to use.
  const preset = new URLSearchParams(window.location.search).get("account");
  if (preset !== null && s.d.chainId === LOCAL_CHAIN_ID) {
    s.wallet = connectDev(s, Number(preset));
    drawWallet();
  }
  refreshAll();
  setInterval(refreshAll, 1500);
  document.body.dataset.ready = "true";
}

void boot();
