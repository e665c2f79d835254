//! Business rules of the dispatch board (being written).
