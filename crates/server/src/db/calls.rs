//! Service calls as stored (being written).
