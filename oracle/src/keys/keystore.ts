// The operator key lives in an encrypted JSON keystore (Web3 Secret Storage V3, scrypt KDF), written
// and read with ethers (`Wallet.encrypt` / `Wallet.fromEncryptedJson`). The passphrase comes from the
// environment or a file and is never logged, never put into an error message.
import { existsSync, readFileSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { Wallet, encryptKeystoreJson } from "ethers";
import { type Address, type Hex, type LocalAccount, getAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { KeystoreError } from "../errors.js";

export type CreateKeystoreParameters = {
  path: string;
  passphrase: string;
  /** Import this key instead of generating one. */
  privateKey?: Hex;
  /** scrypt cost N (power of two). Default: ethers' default (2^17); tests use 2^10. */
  scryptN?: number;
  /** Overwrite an existing file (default false: refuse). */
  force?: boolean;
};

/** Creates an encrypted V3 keystore file (mode 0600) and returns the operator address. */
export async function createKeystore({ path, passphrase, privateKey, scryptN, force = false }: CreateKeystoreParameters): Promise<Address> {
  if (passphrase.length < 8) throw new KeystoreError("keystore: the passphrase must have at least 8 characters");
  if (!force && existsSync(path)) throw new KeystoreError(`keystore: ${path} already exists (refusing to overwrite a key)`);
  const wallet = privateKey ? new Wallet(privateKey) : Wallet.createRandom();
  const json =
    scryptN === undefined
      ? await wallet.encrypt(passphrase)
      : await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, passphrase, { scrypt: { N: scryptN } });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, json, { mode: 0o600 });
  return getAddress(wallet.address);
}

function readJson(path: string): { address?: unknown } & Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new KeystoreError(`keystore: cannot read ${path}`, { cause: err });
  }
  try {
    return JSON.parse(text) as { address?: unknown };
  } catch {
    throw new KeystoreError(`keystore: ${path} is not JSON`);
  }
}

/** The address recorded in the keystore (no passphrase needed). */
export function readKeystoreAddress(path: string): Address {
  const j = readJson(path);
  if (typeof j.address !== "string" || !/^(0x)?[0-9a-fA-F]{40}$/.test(j.address)) throw new KeystoreError(`keystore: ${path} has no address field`);
  return getAddress(j.address.startsWith("0x") ? j.address : `0x${j.address}`);
}

/** Refuses a keystore that other users can read or write (an encrypted key is still an offline brute-force
 * target): the operator fixes it with chmod, as ssh does for private keys. */
function requirePrivateFile(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (err) {
    throw new KeystoreError(`keystore: cannot read ${path}`, { cause: err });
  }
  if ((mode & 0o077) !== 0) {
    throw new KeystoreError(`keystore: ${path} is accessible by other users (mode ${mode.toString(8).padStart(4, "0")}): run chmod 600 ${path}`);
  }
}

/** Decrypts the keystore into a viem account. A wrong passphrase is a KeystoreError (fatal). */
export async function loadOperatorAccount(path: string, passphrase: string | undefined): Promise<LocalAccount> {
  if (passphrase === undefined) throw new KeystoreError("keystore: no passphrase (set KEYSTORE_PASSPHRASE or KEYSTORE_PASSPHRASE_FILE)");
  requirePrivateFile(path);
  const text = JSON.stringify(readJson(path));
  let wallet: Awaited<ReturnType<typeof Wallet.fromEncryptedJson>>;
  try {
    wallet = await Wallet.fromEncryptedJson(text, passphrase);
  } catch {
    // The cause is dropped on purpose: it could quote derived material.
    throw new KeystoreError(`keystore: cannot decrypt ${path} (wrong passphrase or corrupt file)`);
  }
  return privateKeyToAccount(wallet.privateKey as Hex);
}
