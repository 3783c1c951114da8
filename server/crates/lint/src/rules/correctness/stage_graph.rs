//! Which stages form a cycle and which the default build needs: the model resolves each
//! `COPY --from` / `--mount from=` the way BuildKit does (later stages included, see
//! `layerwise_analysis::RefTarget`); this adds the strongly connected components of the
//! "needs" graph, so rules can ask "is this reference circular?" per reference without
//! walking the graph again (BuildKit: `circular dependency detected on stage`), and whether a
//! stage is built by a plain `docker build` (a later-stage reference fails only there).

use layerwise_analysis::{Base, Model, RefKind, RefTarget, StageRef};
use layerwise_syntax::InstructionKind;

pub(crate) struct StageGraph {
    /// Strongly connected component of each stage over the "needs" edges.
    component: Vec<usize>,
    /// Stages the last stage (the default target) needs, itself included.
    needed: Vec<bool>,
}

impl StageGraph {
    /// The graph of `model`. Rules ask for it through `LintContext::stage_graph`, which builds
    /// it once per lint.
    pub fn new(model: &Model) -> Self {
        let bases = model.stages.iter().filter_map(|s| match s.base {
            Base::Stage(b) => Some((s.index, b)),
            _ => None,
        });
        let refs = model
            .refs
            .iter()
            .filter(|r| runs_now(model, r))
            .filter_map(|r| Some((r.stage, Self::target(r)?)));
        let needed = match model.stages.len().checked_sub(1) {
            Some(last) => model.needed_stages(last),
            None => Vec::new(),
        };
        Self {
            component: components(&Edges::new(model.stages.len(), bases.chain(refs))),
            needed,
        }
    }

    /// Whether `docker build` without `--target` builds `stage`.
    pub fn built_by_default(&self, stage: usize) -> bool {
        self.needed.get(stage).copied().unwrap_or(false)
    }

    /// The stage a `COPY --from` / `--mount from=` resolves to, if it is a stage (an earlier
    /// one, a later one, or its own).
    pub fn target(r: &StageRef) -> Option<usize> {
        if r.kind == RefKind::FromStage {
            return None;
        }
        match r.target {
            RefTarget::Stage(i) | RefTarget::LaterStage(i) => Some(i),
            RefTarget::OwnStage => Some(r.stage),
            RefTarget::Image(_) | RefTarget::Invalid(_) => None,
        }
    }

    /// Whether `a` and `b` need each other (directly or through other stages).
    pub fn in_cycle(&self, a: usize, b: usize) -> bool {
        a == b
            || matches!((self.component.get(a), self.component.get(b)), (Some(x), Some(y)) if x == y)
    }
}

/// The "needs" edges of every stage in two flat lists (compressed rows): a list per stage
/// cost an allocation per stage with a base or a reference, about a thousand on a file of
/// 700 stages.
struct Edges {
    /// The edges of stage `v` are `targets[start[v]..start[v + 1]]`.
    start: Vec<usize>,
    targets: Vec<usize>,
}

impl Edges {
    /// Edges `(from, to)` among `n` nodes; each node keeps its edges in the order given.
    /// Edges from a node outside `0..n` are dropped.
    fn new(n: usize, edges: impl Iterator<Item = (usize, usize)> + Clone) -> Self {
        let mut start = vec![0; n + 1];
        for (from, _) in edges.clone() {
            if from < n {
                start[from + 1] += 1;
            }
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        // a counting sort: `next[v]` is where the next edge of `v` goes
        let mut next = start.clone();
        let mut targets = vec![0; start[n]];
        for (from, to) in edges {
            if from < n {
                targets[next[from]] = to;
                next[from] += 1;
            }
        }
        Self { start, targets }
    }

    fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    fn of(&self, v: usize) -> &[usize] {
        match (self.start.get(v), self.start.get(v + 1)) {
            (Some(&a), Some(&b)) => self.targets.get(a..b).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// Whether a reference sits in an instruction this build runs (not an `ONBUILD` trigger,
/// which runs in builds that use this image as their base).
pub(crate) fn runs_now(model: &Model, r: &StageRef) -> bool {
    model
        .instructions
        .get(r.instruction)
        .is_some_and(|i| i.kind != InstructionKind::Onbuild)
}

/// Tarjan's algorithm, iterative so deep chains of stages cannot overflow the stack.
fn components(deps: &Edges) -> Vec<usize> {
    let n = deps.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let (mut next_index, mut next_comp) = (0, 0);
    // the depth-first walk's path: (node, next edge to follow); empty between roots, so one
    // list serves every root
    let mut work: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        work.push((root, 0));
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = deps.of(v).get(*edge) {
                *edge += 1;
                if w >= n {
                    continue;
                }
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    comp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles() {
        // 0 -> 1 -> 2 -> 0, 3 -> 0
        let c = components(&Edges::new(4, [(0, 1), (1, 2), (2, 0), (3, 0)].into_iter()));
        assert!(c[0] == c[1] && c[1] == c[2] && c[3] != c[0]);
        // a long chain has no cycles and does not recurse
        let chain = Edges::new(100_000, (1..100_000).map(|i| (i, i - 1)));
        let c = components(&chain);
        assert_ne!(c[0], c[99_999]);
        // edges given out of order, and one from outside the graph
        let c = components(&Edges::new(3, [(2, 1), (9, 0), (1, 2), (0, 1)].into_iter()));
        assert!(c[1] == c[2] && c[0] != c[1]);
    }

    /// Each node lists its own edges, in the order they were given.
    #[test]
    fn edges_keep_each_nodes_order() {
        let e = Edges::new(3, [(1, 7), (0, 5), (1, 3), (5, 1), (1, 9)].into_iter());
        assert_eq!(
            (e.len(), e.of(0), e.of(1), e.of(2)),
            (3, &[5][..], &[7, 3, 9][..], &[][..])
        );
        assert!(e.of(3).is_empty());
        assert_eq!(Edges::new(0, std::iter::empty()).len(), 0);
    }
}
