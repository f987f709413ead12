//! `policy-check` and `tollgate fmt`: lint and format policy files.
