//! Building blocks shared by the pages.

pub mod choice_box;
pub mod connection_picker;
pub mod dialog;
pub mod error_panel;
pub mod icon;
pub mod inline_details;
pub mod layout;
pub mod page_header;
pub mod toast;
