//! The instruction keywords in both cases, as literals, for rules that keep one fixed text per
//! keyword (notes, fix titles, replacements). A finding lives as long as its document, so a
//! file of hundreds of thousands of findings about keywords keeps no text per finding (F16).

/// Calls the macro `$m` with every instruction keyword as `"UPPER" "lower"` pairs, so each
/// rule writes its own texts from one list.
macro_rules! with_instruction_keywords {
    ($m:ident) => {
        $m! {
            "ADD" "add",
            "ARG" "arg",
            "CMD" "cmd",
            "COPY" "copy",
            "ENTRYPOINT" "entrypoint",
            "ENV" "env",
            "EXPOSE" "expose",
            "FROM" "from",
            "HEALTHCHECK" "healthcheck",
            "LABEL" "label",
            "MAINTAINER" "maintainer",
            "ONBUILD" "onbuild",
            "RUN" "run",
            "SHELL" "shell",
            "STOPSIGNAL" "stopsignal",
            "USER" "user",
            "VOLUME" "volume",
            "WORKDIR" "workdir"
        }
    };
}
pub(crate) use with_instruction_keywords;

#[cfg(test)]
mod tests {
    use layerwise_syntax::InstructionKind;

    macro_rules! pairs {
        ($($upper:literal $lower:literal),*) => {
            [$(($upper, $lower)),*]
        };
    }

    /// The list is every keyword the parser knows, each with its lower case.
    #[test]
    fn the_list_is_every_keyword() {
        let listed = with_instruction_keywords!(pairs);
        let known: Vec<(&str, String)> = InstructionKind::ALL
            .iter()
            .map(|k| (k.keyword(), k.keyword().to_ascii_lowercase()))
            .collect();
        let listed: Vec<(&str, String)> = listed.iter().map(|(u, l)| (*u, l.to_string())).collect();
        assert_eq!(listed, known);
    }
}
