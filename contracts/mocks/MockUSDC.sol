// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import { Ownable, Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";
import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { IERC20Metadata } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import { IERC20Permit } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import { EIP712 } from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import { SignatureChecker } from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import { Nonces } from "@openzeppelin/contracts/utils/Nonces.sol";

import { Errors } from "../libraries/Errors.sol";

/// @title MockUSDC
/// @notice A USDC-like token for the local chain and tests, behaving like Circle's FiatToken v2.2 where it
/// matters to a payment system:
/// - 6 decimals; minters configured by the owner (master minter) with a mint allowance each;
/// - EIP-2612 `permit` and EIP-3009 `transferWithAuthorization` / `receiveWithAuthorization` /
///   `cancelAuthorization` with random bytes32 nonces (EIP-712 domain: name "USD Coin", version "2");
///   signatures from EOAs or ERC-1271 contract wallets (FiatToken v2.2);
/// - a blacklist: a blacklisted account cannot send or receive, and a blacklisted caller cannot move anyone's
///   tokens; as in v2.2 it may still approve, be approved, change allowances and permit (gate rule G13);
/// - a pause that blocks transfers, approvals, permits, authorizations, mints and burns.
/// Blacklist and pause refusals revert with FiatToken's own `Error(string)` reasons,
/// "Blacklistable: account is blacklisted" and "Pausable: paused", so callers surface what mainnet USDC says.
/// @dev Like FiatToken v2.2, the blacklist flag is the high bit of the balance slot, so a transfer reads
/// one slot per party (no separate blacklist SLOAD). Balances and total supply are capped at 2^255 - 1.
/// Unlike FiatToken it is not behind a proxy (cheaper calls; same storage reads per transfer). Standard
/// ERC-20 violations revert with the ERC-6093 errors, other USDC-specific ones with `Errors.MockUSDC_*`.
/// Constructor: the initial owner is also the master minter, blacklister and pauser, and a minter with
/// an unlimited allowance (`type(uint256).max` is never decremented), so a test can mint at once.
contract MockUSDC is IERC20Metadata, IERC20Permit, IERC20Errors, EIP712, Nonces, Ownable2Step {
    /*//////////////////////////////////////////////////////////////////////////
                                       EVENTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Emitted when a minter mints `amount` to `to`.
    event Mint(address indexed minter, address indexed to, uint256 amount);

    /// @notice Emitted when a minter burns `amount` of its own balance.
    event Burn(address indexed burner, uint256 amount);

    /// @notice Emitted when the owner adds or updates a minter and its mint allowance.
    event ConfigureMinter(address indexed minter, uint256 minterAllowedAmount);

    /// @notice Emitted when the owner removes a minter.
    event RemoveMinter(address indexed oldMinter);

    /// @notice Emitted when the blacklister blacklists `account`.
    event Blacklist(address indexed account);

    /// @notice Emitted when the blacklister lifts `account`'s blacklisting.
    event UnBlacklist(address indexed account);

    /// @notice Emitted when the owner names a new blacklister.
    event SetBlacklister(address indexed newBlacklister);

    /// @notice Emitted when the owner names a new pauser.
    event SetPauser(address indexed newPauser);

    /// @notice Emitted when the pauser pauses the token.
    event Pause();

    /// @notice Emitted when the pauser unpauses the token.
    event Unpause();

    /// @notice Emitted when an EIP-3009 authorization is executed.
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);

    /// @notice Emitted when an EIP-3009 authorization is canceled by its authorizer.
    event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce);

    /*//////////////////////////////////////////////////////////////////////////
                                     CONSTANTS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)")
    bytes32 public constant PERMIT_TYPEHASH = 0x6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9;

    /// @notice keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH =
        0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267;

    /// @notice keccak256("ReceiveWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
    bytes32 public constant RECEIVE_WITH_AUTHORIZATION_TYPEHASH =
        0xd099cc98ef71107a616c4f0f941f04c322d8e254fe26b3c6668db87aae413de8;

    /// @notice keccak256("CancelAuthorization(address authorizer,bytes32 nonce)")
    bytes32 public constant CANCEL_AUTHORIZATION_TYPEHASH =
        0x158b0a9edf7a828aad02f63cd515c68ef2f50ba807396f6d12842833a1597429;

    /// @dev The high bit of a balance slot: set when the account is blacklisted.
    uint256 private constant _BLACKLIST_FLAG = 1 << 255;

    /// @dev The largest balance or total supply (all bits below the flag).
    uint256 private constant _MAX_BALANCE = _BLACKLIST_FLAG - 1;

    /*//////////////////////////////////////////////////////////////////////////
                                      STORAGE
    //////////////////////////////////////////////////////////////////////////*/

    /// @dev Balance (low 255 bits) and blacklist flag (high bit) per account, as FiatToken v2.2.
    mapping(address account => uint256 state) private _balanceAndBlacklistStates;

    mapping(address owner => mapping(address spender => uint256 amount)) private _allowances;

    /// @dev Packed: pauser (160) | paused (8).
    address private _pauser;
    bool private _paused;

    address private _blacklister;

    uint256 private _totalSupply;

    mapping(address minter => bool isMinter) private _minters;
    mapping(address minter => uint256 amount) private _minterAllowed;

    mapping(address authorizer => mapping(bytes32 nonce => bool used)) private _authorizationStates;

    /*//////////////////////////////////////////////////////////////////////////
                                    CONSTRUCTOR
    //////////////////////////////////////////////////////////////////////////*/

    /// @param initialOwner Owner, master minter, blacklister, pauser and unlimited minter.
    constructor(address initialOwner) EIP712("USD Coin", "2") Ownable(initialOwner) {
        _pauser = initialOwner;
        _blacklister = initialOwner;
        _minters[initialOwner] = true;
        _minterAllowed[initialOwner] = type(uint256).max;
        emit SetPauser(initialOwner);
        emit SetBlacklister(initialOwner);
        emit ConfigureMinter(initialOwner, type(uint256).max);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                     MODIFIERS
    //////////////////////////////////////////////////////////////////////////*/

    modifier whenNotPaused() {
        _requireNotPaused();
        _;
    }

    /*//////////////////////////////////////////////////////////////////////////
                                   READ FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return "USD Coin";
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return "USDC";
    }

    /// @inheritdoc IERC20Metadata
    function decimals() external pure returns (uint8) {
        return 6;
    }

    /// @notice The EIP-712 domain version ("2", as USDC).
    function version() external pure returns (string memory) {
        return "2";
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return _balanceAndBlacklistStates[account] & _MAX_BALANCE;
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @inheritdoc IERC20Permit
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IERC20Permit
    function nonces(address owner) public view override(IERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    /// @notice Whether `account` is blacklisted.
    function isBlacklisted(address account) external view returns (bool) {
        return _balanceAndBlacklistStates[account] & _BLACKLIST_FLAG != 0;
    }

    /// @notice Whether the token is paused.
    function paused() external view returns (bool) {
        return _paused;
    }

    /// @notice Who may pause and unpause.
    function pauser() external view returns (address) {
        return _pauser;
    }

    /// @notice Who may blacklist and unblacklist.
    function blacklister() external view returns (address) {
        return _blacklister;
    }

    /// @notice Whether `account` is a minter.
    function isMinter(address account) external view returns (bool) {
        return _minters[account];
    }

    /// @notice How much `minter` may still mint (`type(uint256).max` is unlimited).
    function minterAllowance(address minter) external view returns (uint256) {
        return _minterAllowed[minter];
    }

    /// @notice Whether `authorizer` already used or canceled the EIP-3009 `nonce`.
    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return _authorizationStates[authorizer][nonce];
    }

    /*//////////////////////////////////////////////////////////////////////////
                                  ERC-20 FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external whenNotPaused returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    /// @dev A blacklisted caller may not move anyone's tokens (FiatToken v2.2).
    function transferFrom(address from, address to, uint256 value) external whenNotPaused returns (bool) {
        _requireNotBlacklisted(msg.sender);
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
        // Effects.
        unchecked {
            // Cannot underflow: checked just above.
            _allowances[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external whenNotPaused returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    /// @notice Raises `spender`'s allowance by `increment`.
    function increaseAllowance(address spender, uint256 increment) external whenNotPaused returns (bool) {
        _approve(msg.sender, spender, _allowances[msg.sender][spender] + increment);
        return true;
    }

    /// @notice Lowers `spender`'s allowance by `decrement`.
    function decreaseAllowance(address spender, uint256 decrement) external whenNotPaused returns (bool) {
        uint256 allowed = _allowances[msg.sender][spender];
        if (allowed < decrement) revert ERC20InsufficientAllowance(spender, allowed, decrement);
        unchecked {
            // Cannot underflow: checked just above.
            _approve(msg.sender, spender, allowed - decrement);
        }
        return true;
    }

    /// @inheritdoc IERC20Permit
    function permit(
        address owner,
        address spender,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external
        whenNotPaused
    {
        if (block.timestamp > deadline) revert Errors.MockUSDC_PermitExpired(deadline);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, _useNonce(owner), deadline));
        _requireValidSignature(owner, _hashTypedDataV4(structHash), v, r, s);
        _approve(owner, spender, value);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 EIP-3009 FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Executes a transfer signed by `from` (EIP-3009); anyone may submit it.
    /// @dev Reverts unless `validAfter < block.timestamp < validBefore` and `nonce` is unused.
    /// Emits {AuthorizationUsed} and {Transfer}.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external
        whenNotPaused
    {
        _useAuthorization(
            TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, v, r, s
        );
        _transfer(from, to, value);
    }

    /// @notice Executes a transfer signed by `from` (EIP-3009), submitted by the payee `to` itself: a
    /// contract can pull funds without an approval, and nobody can front-run the payee's call.
    /// @dev Reverts unless `msg.sender == to`; otherwise as `transferWithAuthorization`.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        external
        whenNotPaused
    {
        if (to != msg.sender) revert Errors.MockUSDC_CallerNotPayee(msg.sender, to);
        _useAuthorization(
            RECEIVE_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce, v, r, s
        );
        _transfer(from, to, value);
    }

    /// @notice Cancels an unused EIP-3009 authorization of `authorizer`. Emits {AuthorizationCanceled}.
    function cancelAuthorization(address authorizer, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) external whenNotPaused {
        if (_authorizationStates[authorizer][nonce]) revert Errors.MockUSDC_AuthorizationUsed(authorizer, nonce);
        bytes32 structHash = keccak256(abi.encode(CANCEL_AUTHORIZATION_TYPEHASH, authorizer, nonce));
        _requireValidSignature(authorizer, _hashTypedDataV4(structHash), v, r, s);
        _authorizationStates[authorizer][nonce] = true;
        emit AuthorizationCanceled(authorizer, nonce);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 MINTER FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Mints `amount` to `to`, within the caller's mint allowance. Emits {Mint} and {Transfer}.
    function mint(address to, uint256 amount) external whenNotPaused returns (bool) {
        if (!_minters[msg.sender]) revert Errors.MockUSDC_Unauthorized(msg.sender);
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        _requireNotBlacklisted(msg.sender);
        uint256 toState = _balanceAndBlacklistStates[to];
        if (toState & _BLACKLIST_FLAG != 0) _revertBlacklisted();
        uint256 allowed = _minterAllowed[msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert Errors.MockUSDC_MintAllowanceExceeded(msg.sender, allowed, amount);
            unchecked {
                // Cannot underflow: checked just above.
                _minterAllowed[msg.sender] = allowed - amount;
            }
        }
        uint256 supply = _totalSupply;
        if (amount > _MAX_BALANCE - supply) revert Errors.MockUSDC_SupplyOverflow(supply, amount);
        unchecked {
            // Cannot overflow the flag bit: supply + amount <= _MAX_BALANCE and every balance <= supply.
            _totalSupply = supply + amount;
            _balanceAndBlacklistStates[to] = toState + amount;
        }
        emit Mint(msg.sender, to, amount);
        emit Transfer(address(0), to, amount);
        return true;
    }

    /// @notice Burns `amount` of the caller's (a minter's) own balance. Emits {Burn} and {Transfer}.
    function burn(uint256 amount) external whenNotPaused {
        if (!_minters[msg.sender]) revert Errors.MockUSDC_Unauthorized(msg.sender);
        uint256 state = _balanceAndBlacklistStates[msg.sender];
        if (state & _BLACKLIST_FLAG != 0) _revertBlacklisted();
        if (state < amount) revert ERC20InsufficientBalance(msg.sender, state, amount);
        unchecked {
            // Cannot underflow: the balance is at most the supply and at least `amount`.
            _balanceAndBlacklistStates[msg.sender] = state - amount;
            _totalSupply -= amount;
        }
        emit Burn(msg.sender, amount);
        emit Transfer(msg.sender, address(0), amount);
    }

    /*//////////////////////////////////////////////////////////////////////////
                                  ADMIN FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    /// @notice Adds or updates a minter with a mint allowance. Owner only. Emits {ConfigureMinter}.
    function configureMinter(address minter, uint256 minterAllowedAmount) external onlyOwner {
        if (minter == address(0)) revert Errors.MockUSDC_ZeroAddress();
        _minters[minter] = true;
        _minterAllowed[minter] = minterAllowedAmount;
        emit ConfigureMinter(minter, minterAllowedAmount);
    }

    /// @notice Removes a minter. Owner only. Emits {RemoveMinter}.
    function removeMinter(address minter) external onlyOwner {
        _minters[minter] = false;
        _minterAllowed[minter] = 0;
        emit RemoveMinter(minter);
    }

    /// @notice Blacklists `account` (its balance stays, frozen). Blacklister only. Emits {Blacklist}.
    function blacklist(address account) external {
        if (msg.sender != _blacklister) revert Errors.MockUSDC_Unauthorized(msg.sender);
        _balanceAndBlacklistStates[account] |= _BLACKLIST_FLAG;
        emit Blacklist(account);
    }

    /// @notice Lifts `account`'s blacklisting. Blacklister only. Emits {UnBlacklist}.
    function unBlacklist(address account) external {
        if (msg.sender != _blacklister) revert Errors.MockUSDC_Unauthorized(msg.sender);
        _balanceAndBlacklistStates[account] &= _MAX_BALANCE;
        emit UnBlacklist(account);
    }

    /// @notice Names the blacklister. Owner only. Emits {SetBlacklister}.
    function updateBlacklister(address newBlacklister) external onlyOwner {
        if (newBlacklister == address(0)) revert Errors.MockUSDC_ZeroAddress();
        _blacklister = newBlacklister;
        emit SetBlacklister(newBlacklister);
    }

    /// @notice Names the pauser. Owner only. Emits {SetPauser}.
    function updatePauser(address newPauser) external onlyOwner {
        if (newPauser == address(0)) revert Errors.MockUSDC_ZeroAddress();
        _pauser = newPauser;
        emit SetPauser(newPauser);
    }

    /// @notice Pauses the token. Pauser only. Emits {Pause}.
    function pause() external {
        if (msg.sender != _pauser) revert Errors.MockUSDC_Unauthorized(msg.sender);
        _paused = true;
        emit Pause();
    }

    /// @notice Unpauses the token. Pauser only. Emits {Unpause}.
    function unpause() external {
        if (msg.sender != _pauser) revert Errors.MockUSDC_Unauthorized(msg.sender);
        _paused = false;
        emit Unpause();
    }

    /*//////////////////////////////////////////////////////////////////////////
                                 PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////////////////*/

    function _requireNotPaused() private view {
        // FiatToken v2.2's reason string (gate rule G13).
        // solhint-disable-next-line gas-custom-errors
        if (_paused) revert("Pausable: paused");
    }

    function _requireNotBlacklisted(address account) private view {
        if (_balanceAndBlacklistStates[account] & _BLACKLIST_FLAG != 0) _revertBlacklisted();
    }

    /// @dev FiatToken v2.2's reason string (gate rule G13).
    function _revertBlacklisted() private pure {
        // solhint-disable-next-line gas-custom-errors
        revert("Blacklistable: account is blacklisted");
    }

    /// @dev One read per party: the flag and the balance share the slot.
    function _transfer(address from, address to, uint256 value) private {
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint256 fromState = _balanceAndBlacklistStates[from];
        if (fromState & _BLACKLIST_FLAG != 0) _revertBlacklisted();
        if (_balanceAndBlacklistStates[to] & _BLACKLIST_FLAG != 0) _revertBlacklisted();
        // With the flag clear, the state is the balance.
        if (fromState < value) revert ERC20InsufficientBalance(from, fromState, value);
        unchecked {
            // Cannot underflow: checked just above. Cannot reach the flag: balances sum to the supply,
            // which is at most 2^255 - 1. `to` is re-read so that `from == to` stays a no-op.
            _balanceAndBlacklistStates[from] = fromState - value;
            _balanceAndBlacklistStates[to] += value;
        }
        emit Transfer(from, to, value);
    }

    /// @dev No blacklist check: FiatToken v2.2 lets blacklisted accounts approve, be approved and permit (G13).
    function _approve(address owner, address spender, uint256 value) private {
        _allowances[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    function _useAuthorization(
        bytes32 typehash,
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    )
        private
    {
        if (block.timestamp <= validAfter) revert Errors.MockUSDC_AuthorizationNotYetValid(validAfter);
        if (block.timestamp >= validBefore) revert Errors.MockUSDC_AuthorizationExpired(validBefore);
        if (_authorizationStates[from][nonce]) revert Errors.MockUSDC_AuthorizationUsed(from, nonce);
        bytes32 structHash = keccak256(abi.encode(typehash, from, to, value, validAfter, validBefore, nonce));
        _requireValidSignature(from, _hashTypedDataV4(structHash), v, r, s);
        _authorizationStates[from][nonce] = true;
        emit AuthorizationUsed(from, nonce);
    }

    /// @dev EOA (ECDSA, low-s) or ERC-1271 contract signature, as FiatToken v2.2.
    function _requireValidSignature(address signer, bytes32 digest, uint8 v, bytes32 r, bytes32 s) private view {
        if (!SignatureChecker.isValidSignatureNow(signer, digest, abi.encodePacked(r, s, v))) {
            revert Errors.MockUSDC_InvalidSignature(signer);
        }
    }
}
