//! Gathers every mistake of one attribute, so that one compile shows them all (the
//! manner of serde_derive's `Ctxt`): the parse and the validation record errors here,
//! and [`Ctxt::check`] turns them into one `syn::Error`, in source order.
//!
//! The parse finds some mistakes and the validation the others, each in its own order;
//! rustc users read errors top to bottom, as the source reads. So each error is filed
//! under a [`Place`], handed out by the parse in the order it reads the attribute and
//! kept in the model for the validation to return to, and `check` sorts by it. Spans
//! cannot be compared: their line and column are unknown to a proc macro on the
//! compilers this crate supports.

use std::cell::{Cell, RefCell};
use std::fmt::Display;

use quote::ToTokens;

/// Where a mistake stands among the attribute's arguments and the strategies they
/// list, in source order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place(usize);

impl Place {
    /// The route path, which comes first.
    pub const PATH: Place = Place(0);
    /// The annotated function, which follows the attribute.
    pub const FUNCTION: Place = Place(usize::MAX);
}

pub struct Ctxt {
    /// `None` once checked: a `Ctxt` dropped before then would lose its errors.
    errors: RefCell<Option<Vec<(Place, syn::Error)>>>,
    /// Where the errors recorded now are filed.
    current: Cell<Place>,
    /// The last place handed out by [`Ctxt::next_place`].
    last: Cell<Place>,
}

impl Ctxt {
    pub fn new() -> Self {
        Self {
            errors: RefCell::new(Some(Vec::new())),
            current: Cell::new(Place::PATH),
            last: Cell::new(Place::PATH),
        }
    }

    /// A place after every one handed out so far, made the current one: the parse
    /// calls it as it reaches each argument and each strategy.
    pub fn next_place(&self) -> Place {
        let place = Place(self.last.get().0 + 1);
        self.last.set(place);
        self.current.set(place);
        place
    }

    /// Files the errors recorded from now on under `place`.
    pub fn enter(&self, place: Place) {
        self.current.set(place);
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
            .push((self.current.get(), err));
    }

    /// All the mistakes as one error, in source order, or none.
    pub fn check(self) -> Result<(), syn::Error> {
        let mut errors = self.errors.borrow_mut().take().unwrap_or_default();
        // Stable: two mistakes at one place keep the order they were found in.
        errors.sort_by_key(|(place, _)| *place);
        let mut errors = errors.into_iter().map(|(_, err)| err);
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
