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
    pub fn new(model: &Model) -> Self {
        let mut deps = vec![Vec::new(); model.stages.len()];
        for s in &model.stages {
            if let Base::Stage(b) = s.base {
                deps[s.index].push(b);
            }
        }
        for r in model.refs.iter().filter(|r| runs_now(model, r)) {
            if let (Some(t), Some(d)) = (Self::target(r), deps.get_mut(r.stage)) {
                d.push(t);
            }
        }
        let needed = match model.stages.len().checked_sub(1) {
            Some(last) => model.needed_stages(last),
            None => Vec::new(),
        };
        Self {
            component: components(&deps),
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

/// Whether a reference sits in an instruction this build runs (not an `ONBUILD` trigger,
/// which runs in builds that use this image as their base).
pub(crate) fn runs_now(model: &Model, r: &StageRef) -> bool {
    model
        .instructions
        .get(r.instruction)
        .is_some_and(|i| i.kind != InstructionKind::Onbuild)
}

/// Tarjan's algorithm, iterative so deep chains of stages cannot overflow the stack.
fn components(deps: &[Vec<usize>]) -> Vec<usize> {
    let n = deps.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let (mut next_index, mut next_comp) = (0, 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = deps[v].get(*edge) {
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
        let c = components(&[vec![1], vec![2], vec![0], vec![0]]);
        assert!(c[0] == c[1] && c[1] == c[2] && c[3] != c[0]);
        // a long chain has no cycles and does not recurse
        let chain: Vec<Vec<usize>> = (0..100_000)
            .map(|i| if i == 0 { vec![] } else { vec![i - 1] })
            .collect();
        let c = components(&chain);
        assert_ne!(c[0], c[99_999]);
    }
}
