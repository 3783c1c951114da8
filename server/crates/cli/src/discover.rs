//! Finding Dockerfiles in folders.
