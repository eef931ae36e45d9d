// Digest parity: the TypeScript schema (oracle/src/attestation) and the contract produce the same digest.
import { expect } from "chai";
import { keccak256, toBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { network } from "hardhat";
import { hashRiskAttestation } from "../../../oracle/src/attestation/hashAttestation.js";
import { signRiskAttestation } from "../../../oracle/src/attestation/signAttestation.js";
import { type RiskAttestation, riskAttestationTypeString, riskgateDomain } from "../../../oracle/src/attestation/typedData.js";
import { deployRiskOracle, signWithWallet } from "../helpers/attestation.js";

const { ethers, networkHelpers } = await network.connect();

function randomHex(bytes: number): `0x${string}` {
  return ethers.hexlify(ethers.randomBytes(bytes)) as `0x${string}`;
}

function randomBigInt(bits: number): bigint {
  return BigInt(randomHex(Math.ceil(bits / 8))) & ((1n << BigInt(bits)) - 1n);
}

function randomAttestation(): RiskAttestation {
  return {
    consumer: ethers.getAddress(randomHex(20)) as `0x${string}`,
    subject: randomHex(32),
    payer: ethers.getAddress(randomHex(20)) as `0x${string}`,
    payee: ethers.getAddress(randomHex(20)) as `0x${string}`,
    token: ethers.getAddress(randomHex(20)) as `0x${string}`,
    amount: randomBigInt(256),
    score: Number(randomBigInt(16)),
    reasons: Number(randomBigInt(32)),
    modelId: randomHex(32),
    issuedAt: randomBigInt(64),
    expiresAt: randomBigInt(64),
    nonce: randomHex(32),
  };
}

describe("RiskOracle typed data (TS schema == contract)", function () {
  async function fixture() {
    return deployRiskOracle(ethers, { signers: 1 });
  }

  it("test_TypeString_MatchesTypehash: the TS type string hashes to the contract's TYPEHASH", async function () {
    const ctx = await networkHelpers.loadFixture(fixture);
    // hashStruct of an all-zero struct = keccak256(TYPEHASH ‖ 12 zero words): recompute it from the TS string.
    const zero: RiskAttestation = {
      consumer: ethers.ZeroAddress as `0x${string}`, subject: ethers.ZeroHash as `0x${string}`,
      payer: ethers.ZeroAddress as `0x${string}`, payee: ethers.ZeroAddress as `0x${string}`,
      token: ethers.ZeroAddress as `0x${string}`, amount: 0n, score: 0, reasons: 0,
      modelId: ethers.ZeroHash as `0x${string}`, issuedAt: 0n, expiresAt: 0n, nonce: ethers.ZeroHash as `0x${string}`,
    };
    const typehash = keccak256(toBytes(riskAttestationTypeString));
    const structHash = keccak256(ethers.concat([typehash, new Uint8Array(32 * 12)]) as `0x${string}`);
    const expected = ethers.keccak256(ethers.concat(["0x1901", await ctx.oracle.DOMAIN_SEPARATOR(), structHash]));
    expect(await ctx.oracle.hashAttestation(zero)).to.equal(expected);
  });

  it("test_DomainSeparator_MatchesViem: DOMAIN_SEPARATOR == viem's domain hash", async function () {
    const ctx = await networkHelpers.loadFixture(fixture);
    expect(await ctx.oracle.DOMAIN_SEPARATOR()).to.equal(ethers.TypedDataEncoder.hashDomain(ctx.domain));
  });

  it("testFuzz_HashAttestation_ParityWithViem: 64 random attestations hash the same in TS and Solidity", async function () {
    const ctx = await networkHelpers.loadFixture(fixture);
    for (let i = 0; i < 64; i++) {
      const att = randomAttestation();
      expect(await ctx.oracle.hashAttestation(att)).to.equal(hashRiskAttestation(ctx.domain, att));
    }
  });

  it("test_SignRiskAttestation_ViemAndEthersAgree: viem and ethers signatures recover the same signer", async function () {
    const ctx = await networkHelpers.loadFixture(fixture);
    const wallet = ctx.wallets[0];
    const account = privateKeyToAccount(wallet.privateKey as `0x${string}`);
    const att = randomAttestation();
    const viemSig = await signRiskAttestation(account, ctx.domain, att);
    const ethersSig = await signWithWallet(wallet, ctx.domain, att);
    expect(viemSig).to.equal(ethersSig); // RFC 6979: deterministic
    expect(ethers.recoverAddress(hashRiskAttestation(ctx.domain, att), viemSig)).to.equal(wallet.address);
  });

  it("test_RiskgateDomain_RevertWhen_ChainIdInvalid: rejects a zero chain id", function () {
    expect(() => riskgateDomain(0, ethers.ZeroAddress as `0x${string}`)).to.throw(RangeError);
    expect(riskgateDomain(31337n, ethers.ZeroAddress as `0x${string}`).chainId).to.equal(31337);
  });
});
