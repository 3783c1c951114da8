//! A list one pointer wide, for the lists of an [`Instruction`](crate::Instruction) that are
//! usually empty (flags, here-documents). Every instruction in the tree carries both, so a
//! boxed slice's second word (its length) cost 16 bytes per instruction; a non-empty list
//! pays one small allocation more instead, and about one instruction in ten has one.

use std::ops::Deref;

/// Derefs to a slice: read it as one (`iter`, `is_empty`, indexing, `for x in &list`).
#[derive(Clone, PartialEq, Eq)]
pub struct ThinList<T>(Option<Box<Box<[T]>>>);

impl<T> ThinList<T> {
    pub const fn new() -> Self {
        Self(None)
    }
}

impl<T> Default for ThinList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Deref for ThinList<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.0.as_deref().map_or(&[], |b| b)
    }
}

impl<T> From<Vec<T>> for ThinList<T> {
    fn from(v: Vec<T>) -> Self {
        Self((!v.is_empty()).then(|| Box::new(v.into_boxed_slice())))
    }
}

impl<'a, T> IntoIterator for &'a ThinList<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for ThinList<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.deref().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::ThinList;

    #[test]
    fn reads_like_the_slice_it_was_made_from() {
        let empty = ThinList::<u32>::from(Vec::new());
        assert!(empty.is_empty());
        assert_eq!(empty, ThinList::new());
        let list = ThinList::from(vec![1, 2, 3]);
        assert_eq!(&*list, &[1, 2, 3]);
        assert_eq!(list[..2], [1, 2]);
        assert_eq!((&list).into_iter().sum::<u32>(), 6);
        assert_ne!(list, empty);
        assert_eq!(format!("{list:?}"), "[1, 2, 3]");
    }
}
