//! The view models of the pages, one file per page type: everything a
//! template shows, computed here (tables printed as HTML in Rust), so the
//! templates stay thin.

mod agency;
mod home;
mod indicators;
mod members;
mod report;
mod year;
