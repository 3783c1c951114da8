//! Who the runtime stage runs as: the stage's own `USER` (created again when the stage
//! created it), the image's non-root user, or a new unprivileged `app` user.

use layerwise_syntax::InstructionKind;

use super::super::images::Flavor;
use super::{Entry, Plan};

impl Plan<'_, '_> {
    /// The user the runtime runs as: the stage's own `USER` (created again in the runtime
    /// stage when the stage created it), else the image's non-root user, else a new `app`
    /// user. Images without a shell get their built-in non-root user.
    pub fn settle_user(&mut self) {
        let last_user = self
            .v
            .units
            .iter()
            .enumerate()
            .rev()
            .find(|(_, u)| u.kind == InstructionKind::User);
        let flavor = self.rt.flavor;
        if !flavor.has_shell() {
            let user = if flavor == Flavor::Distroless {
                "nonroot:nonroot"
            } else {
                "65534:65534"
            };
            if let Some((i, _)) = last_user {
                // it stays in the builder (distribute keeps it there); the runtime cannot
                // create users, so it uses the image's own
                let text = self.instruction_text(i);
                let value = text.split_whitespace().nth(1).unwrap_or("").to_string();
                if !value.starts_with(|c: char| c.is_ascii_digit()) && !value.starts_with("nonroot")
                {
                    self.notes.push(format!(
                        "the runtime image has no shell to create users: it runs as {user} instead of `{value}`"
                    ));
                } else {
                    self.rt_user = Some(Entry::Gen(text));
                    self.user_name = Some(value);
                    return;
                }
            }
            self.rt_user = Some(Entry::Gen(format!("USER {user}")));
            self.user_name = Some(user.to_string());
            return;
        }
        if let Some((i, u)) = last_user {
            let text = self.instruction_text(i);
            let value = text.split_whitespace().nth(1).unwrap_or("").to_string();
            let name = value.split(':').next().unwrap_or("").to_string();
            if self.rt_user.is_none() {
                self.rt_user = Some(Entry::Gen(text));
            }
            let _ = u;
            self.user_name = Some(value.clone());
            let numeric = name.chars().all(|c| c.is_ascii_digit());
            if !numeric && name != "root" && Some(name.as_str()) != self.rt.image_user {
                self.recreate_user(&name);
            }
            return;
        }
        if let Some(u) = self.rt.image_user {
            self.rt_user = Some(Entry::Gen(format!("USER {u}")));
            self.user_name = Some(u.to_string());
            return;
        }
        self.rt_setup.push(Entry::Gen(create_user(flavor, "app")));
        self.rt_user = Some(Entry::Gen("USER app".into()));
        self.user_name = Some("app".into());
    }

    /// Creates `name` in the runtime stage: the stage's own user-creating `RUN` when it does
    /// nothing else, else a `useradd`/`adduser` line.
    fn recreate_user(&mut self, name: &str) {
        const USER_TOOLS: &[&str] = &["useradd", "adduser", "groupadd", "addgroup", "usermod"];
        for (i, u) in self.v.units.iter().enumerate() {
            let cmds = self.v.commands(u);
            let creates = cmds.iter().any(|c| {
                matches!(c.program(), Some("useradd" | "adduser"))
                    && c.positional().any(|w| w.text == name)
            });
            if !creates {
                continue;
            }
            let only_users = cmds
                .iter()
                .all(|c| c.program().is_some_and(|p| USER_TOOLS.contains(&p)));
            let same_os = match self.rt.flavor {
                Flavor::Alpine => cmds.iter().all(|c| c.program() != Some("useradd")),
                _ => true,
            };
            if only_users && same_os {
                let text = self.instruction_text(i);
                self.rt_setup.push(Entry::Gen(text));
                return;
            }
            let line = create_user(self.rt.flavor, name);
            self.rt_setup.push(Entry::Gen(line));
            return;
        }
        // not created here: a user of the base image (`nobody`, `www-data`), there in the
        // runtime image of the same distribution too
    }
}

/// A `RUN` that creates an unprivileged user `name` (uid 10001) on the image's distribution.
pub(crate) fn create_user(flavor: Flavor, name: &str) -> String {
    match flavor {
        Flavor::Alpine => format!("RUN adduser -D -u 10001 {name}"),
        _ => format!("RUN useradd --no-log-init --create-home --uid 10001 {name}"),
    }
}
