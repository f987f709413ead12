//! Errors of key construction and parsing.

/// Why a secp256k1 key (public or private) could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum KeyError {
    /// A public key of the wrong length.
    #[error("public key is {found} bytes, expected 33 (compressed) or 65 (uncompressed)")]
    #[diagnostic(
        code(keys::public_key_length),
        help("give the 33-byte compressed key as 66 hex characters or 44 base64 characters")
    )]
    PublicKeyLength {
        /// Length found.
        found: usize,
    },
    /// A public key whose SEC1 prefix byte does not fit its length.
    #[error(
        "public key starts with 0x{prefix:02x}, expected 0x02 or 0x03 (compressed) or 0x04 (uncompressed)"
    )]
    #[diagnostic(code(keys::public_key_prefix))]
    PublicKeyPrefix {
        /// The first byte found.
        prefix: u8,
    },
    /// The bytes do not name a point on secp256k1.
    #[error("public key is not a point on secp256k1")]
    #[diagnostic(code(keys::not_on_curve))]
    NotOnCurve,
    /// Public-key text that is neither hex nor standard base64.
    #[error("public key text is neither hex nor standard base64")]
    #[diagnostic(
        code(keys::public_key_encoding),
        help("use 66 hex characters (`03e1fd…`) or the base64 `key` of the account's `pub_key`")
    )]
    PublicKeyEncoding,
    /// A private key that is not 32 bytes.
    #[error("private key is {found} bytes, expected 32")]
    #[diagnostic(
        code(keys::private_key_length),
        help("give the key as 64 hex characters")
    )]
    PrivateKeyLength {
        /// Length found.
        found: usize,
    },
    /// A private key that is not hex.
    #[error("private key is not hex")]
    #[diagnostic(
        code(keys::private_key_encoding),
        help("give the key as 64 hex characters")
    )]
    PrivateKeyEncoding,
    /// A private key that is zero or not below the curve order.
    #[error("private key is zero or not below the secp256k1 group order")]
    #[diagnostic(code(keys::private_key_range))]
    PrivateKeyRange,
    /// A mnemonic with an unsupported number of words.
    #[error("mnemonic has {count} words, expected 12, 15, 18, 21 or 24")]
    #[diagnostic(code(keys::mnemonic_word_count))]
    MnemonicWordCount {
        /// Words found.
        count: usize,
    },
    /// A mnemonic word outside the BIP-39 English list.
    #[error("mnemonic word {index} is not in the BIP-39 english word list")]
    #[diagnostic(
        code(keys::mnemonic_word),
        help("words are counted from 1; check the spelling")
    )]
    MnemonicWord {
        /// 1-based index of the word.
        index: usize,
    },
    /// A mnemonic whose checksum does not match.
    #[error("mnemonic checksum does not match")]
    #[diagnostic(
        code(keys::mnemonic_checksum),
        help("a word is wrong or the words are out of order")
    )]
    MnemonicChecksum,
    /// A mnemonic rejected for another reason.
    #[error("mnemonic is invalid")]
    #[diagnostic(code(keys::mnemonic))]
    Mnemonic,
    /// A BIP-32 derivation path that does not parse.
    #[error("derivation path `{path}` is invalid")]
    #[diagnostic(code(keys::derivation_path), help("Akash uses `m/44'/118'/0'/0/0`"))]
    DerivationPath {
        /// The path given.
        path: String,
    },
    /// BIP-32 derivation failed (an invalid child key, probability about 2^-127).
    #[error("key derivation failed")]
    #[diagnostic(code(keys::derivation))]
    Derivation,
}
