//! Gathers every mistake of one attribute, so that one compile shows them all (the
//! manner of serde_derive's `Ctxt`): the parse and the validation record errors here,
//! and [`Ctxt::check`] turns them into one `syn::Error`.

use std::cell::RefCell;
use std::fmt::Display;

use quote::ToTokens;

pub struct Ctxt {
    /// `None` once checked: a `Ctxt` dropped before then would lose its errors.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    pub fn new() -> Self {
        Self {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// A mistake at the tokens of `at`.
    pub fn error_spanned_by<A: ToTokens, M: Display>(&self, at: A, message: M) {
        self.push(syn::Error::new_spanned(at.into_token_stream(), message));
    }

    /// A mistake at a span.
    pub fn error_at<M: Display>(&self, span: proc_macro2::Span, message: M) {
        self.push(syn::Error::new(span, message));
    }

    pub fn syn_error(&self, err: syn::Error) {
        self.push(err);
    }

    fn push(&self, err: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("Ctxt::check was already called")
            .push(err);
    }

    /// All the mistakes as one error, or none.
    pub fn check(self) -> Result<(), syn::Error> {
        let errors = self.errors.borrow_mut().take().unwrap_or_default();
        let mut errors = errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for err in errors {
            combined.combine(err);
        }
        Err(combined)
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        // A bug of this crate, never of its user: errors recorded and then forgotten
        // would let a wrong attribute compile.
        if !std::thread::panicking() && self.errors.borrow().is_some() {
            panic!("forgot to check for errors");
        }
    }
}
