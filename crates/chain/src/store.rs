//! The persistent layer: a redb file mapping `akash1…` addresses to compressed keys.
//!
//! redb is pure Rust, copy-on-write and crash-safe (a commit is either all there after a power
//! loss or not at all), and takes an exclusive lock on the file, so two processes never write
//! the same cache. Only keys checked against their address are written; every read checks
//! again, so an edited or corrupted file can make a lookup miss but never authorize.

use std::path::Path;

use redb::{Database, ReadableDatabase as _, TableDefinition};

/// The table of the cache file: address → 33-byte compressed secp256k1 key.
pub(crate) const KEYS_TABLE: TableDefinition<'static, &'static str, &'static [u8]> =
    TableDefinition::new("akash_account_keys_v1");

/// The open cache file.
pub(crate) struct Store {
    db: Database,
}

impl Store {
    /// Opens `path`, creating the file and its table if needed.
    pub(crate) fn open(path: &Path) -> Result<Store, redb::Error> {
        let db = Database::create(path)?;
        let write = db.begin_write()?;
        write.open_table(KEYS_TABLE)?;
        write.commit()?;
        Ok(Store { db })
    }

    /// The stored bytes for `address`, if any (not yet checked).
    pub(crate) fn get(&self, address: &str) -> Result<Option<Vec<u8>>, redb::Error> {
        let read = self.db.begin_read()?;
        let table = read.open_table(KEYS_TABLE)?;
        let value = table.get(address)?;
        Ok(value.map(|guard| guard.value().to_vec()))
    }

    /// Stores `key` for `address` durably.
    pub(crate) fn put(&self, address: &str, key: &[u8; 33]) -> Result<(), redb::Error> {
        let write = self.db.begin_write()?;
        {
            let mut table = write.open_table(KEYS_TABLE)?;
            table.insert(address, key.as_slice())?;
        }
        Ok(write.commit()?)
    }

    /// Forgets `address` (its stored key did not check out).
    pub(crate) fn remove(&self, address: &str) -> Result<(), redb::Error> {
        let write = self.db.begin_write()?;
        {
            let mut table = write.open_table(KEYS_TABLE)?;
            table.remove(address)?;
        }
        Ok(write.commit()?)
    }

    /// Number of stored keys.
    pub(crate) fn len(&self) -> Result<u64, redb::Error> {
        use redb::ReadableTableMetadata as _;
        let read = self.db.begin_read()?;
        let table = read.open_table(KEYS_TABLE)?;
        Ok(table.len()?)
    }
}
