// Hardhat Ignition modules for the whole Riskgate suite.
//
//   RiskgateModule       RiskOracle (signer set + threshold) + PaymentEscrow + PaymentStream, both consumers
//                        given the risk policy, the stablecoin given by the `token` parameter allow-listed.
//   RiskgateLocalModule  the same plus MockUSDC (local chains only), which becomes the allow-listed token.
//
// The signer set must be strictly ascending (RiskOracle rejects anything else): scripts/deploy.ts sorts it
// before passing the parameters. Every call that needs the owner is sent by the deployer (account 0), which
// is the initial owner; hand ownership over afterwards with Ownable2Step (transferOwnership + acceptOwnership).
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

/** Parameter names read by both modules (see deploy/parameters/<network>.json). */
export const RISKGATE_MODULE_ID = "Riskgate";
export const RISKGATE_LOCAL_MODULE_ID = "RiskgateLocal";

type ModuleBuilder = Parameters<Parameters<typeof buildModule>[1]>[0];
type TokenArg = Parameters<ModuleBuilder["call"]>[2] extends (infer A)[] | undefined ? A : never;

function buildCore(m: ModuleBuilder, token: TokenArg) {
  const deployer = m.getAccount(0);
  const signers = m.getParameter<string[]>("signers");
  const threshold = m.getParameter<number>("threshold", 1);
  const guardian = m.getParameter<string>("guardian", "0x0000000000000000000000000000000000000000");
  const maxValidity = m.getParameter<number>("maxValidity", 3600);
  const arbiter = m.getParameter<string>("arbiter");
  const feeRecipient = m.getParameter<string>("feeRecipient");
  const feeBps = m.getParameter<number>("feeBps", 0);
  const referralBps = m.getParameter<number>("referralBps", 0);
  const allowBelow = m.getParameter<number>("allowBelow");
  const freezeAt = m.getParameter<number>("freezeAt");
  const holdWindow = m.getParameter<number>("holdWindow");

  const riskOracle = m.contract("RiskOracle", [deployer, signers, threshold, guardian, maxValidity]);
  const paymentEscrow = m.contract("PaymentEscrow", [deployer, riskOracle, feeRecipient]);
  // PaymentStream keeps its cold paths in the linked library StreamOps (EIP-170 size limit). The link is
  // declared here, not read from build artifacts: a module is defined when it is imported, which on a
  // fresh clone happens before anything is compiled.
  const streamOps = m.library("StreamOps");
  const paymentStream = m.contract("PaymentStream", [riskOracle, deployer, arbiter], { libraries: { StreamOps: streamOps } });

  const policy = { allowBelow, freezeAt, holdWindow, enabled: true };
  m.call(riskOracle, "setPolicy", [paymentEscrow, policy], { id: "setPolicy_PaymentEscrow" });
  m.call(riskOracle, "setPolicy", [paymentStream, policy], { id: "setPolicy_PaymentStream" });
  m.call(paymentEscrow, "setTokenAllowed", [token, true]);
  m.call(paymentEscrow, "setFee", [feeBps]);
  m.call(paymentEscrow, "setReferralBps", [referralBps]);
  m.call(paymentStream, "allowToken", [token]);

  return { riskOracle, paymentEscrow, paymentStream };
}

/** Any network: the stablecoin is the `token` parameter (e.g. Circle's USDC on that chain). */
export const RiskgateModule = buildModule(RISKGATE_MODULE_ID, (m) => {
  const token = m.getParameter<string>("token");
  return buildCore(m, token);
});

/** Local chains: deploys MockUSDC (owned by the deployer, who can mint) and allow-lists it. */
export const RiskgateLocalModule = buildModule(RISKGATE_LOCAL_MODULE_ID, (m) => {
  const mockUsdc = m.contract("MockUSDC", [m.getAccount(0)]);
  return { mockUsdc, ...buildCore(m, mockUsdc) };
});

export default RiskgateLocalModule;
