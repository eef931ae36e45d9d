// RiskAttestation <-> JSON (bigints as decimal strings), for the HTTP API and operator-to-operator calls.
import type { RiskAttestation } from "./typedData.js";

export type WireRiskAttestation = Omit<RiskAttestation, "amount" | "issuedAt" | "expiresAt"> & {
  amount: string;
  issuedAt: string;
  expiresAt: string;
};

export function toWire(att: RiskAttestation): WireRiskAttestation {
  return { ...att, amount: att.amount.toString(), issuedAt: att.issuedAt.toString(), expiresAt: att.expiresAt.toString() };
}
