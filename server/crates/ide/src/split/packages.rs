//! System packages: which ones are build tools (left behind in the builder), which `-dev`
//! packages need a runtime library in the runtime stage (`libpq-dev` → `libpq5`), and reading
//! the packages a `RUN` installs with apt or apk (read by `layerwise_analysis::packages`).

use layerwise_analysis::packages::{package_name, PkgCommand, PkgTool};
use layerwise_analysis::shell::ShellCommand;

/// The package manager of the distribution an image is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Os {
    Debian,
    Alpine,
}

/// Packages a `RUN` installs with apt or apk, as written (`pkg=1.2` kept; words with a
/// variable left out). Other package managers have no runtime image to install into here.
pub(crate) fn os_installs(cmd: &ShellCommand) -> Option<(Os, Vec<String>)> {
    let p = PkgCommand::parse(cmd).filter(PkgCommand::is_install)?;
    let os = match p.tool {
        PkgTool::Apt => Os::Debian,
        PkgTool::Apk => Os::Alpine,
        _ => return None,
    };
    let pkgs = p
        .packages()
        .iter()
        .map(|w| w.text.as_str())
        .filter(|t| !t.is_empty() && !t.contains('$'))
        .map(str::to_string)
        .collect();
    Some((os, pkgs))
}

/// Compilers, headers and fetch tools: needed to build, not to run.
pub(crate) fn is_build_tool(pkg: &str) -> bool {
    let name = package_name(pkg);
    const TOOLS: &[&str] = &[
        "build-essential",
        "build-base",
        "alpine-sdk",
        "gcc",
        "g++",
        "c++",
        "cpp",
        "clang",
        "llvm",
        "lld",
        "make",
        "cmake",
        "ninja-build",
        "samurai",
        "meson",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "binutils",
        "patch",
        "bison",
        "flex",
        "swig",
        "gfortran",
        "musl-dev",
        "linux-headers",
        "git",
        "mercurial",
        "subversion",
        "gnupg",
        "gnupg2",
        "dirmngr",
        "unzip",
        "xz-utils",
        "bzip2",
        "wget",
        "curl",
        "software-properties-common",
        "apt-transport-https",
        "lsb-release",
        "protobuf-compiler",
        "python3-dev",
        "python3-pip",
        "python3-venv",
        "python3-setuptools",
        "python3-wheel",
        "python-dev",
        "cargo",
        "rustc",
        "golang",
        "go",
        "maven",
        "gradle",
        "npm",
        "yarn",
        "nodejs",
    ];
    TOOLS.contains(&name)
        || name.ends_with("-dev")
        || name.ends_with("-devel")
        || name.ends_with("-headers")
        || name.starts_with("gcc-")
        || name.starts_with("g++-")
        || name.starts_with("clang-")
        || (name.starts_with("openjdk-") && name.contains("-jdk"))
        || (name.starts_with("openjdk") && name.ends_with("-jdk"))
}

/// The runtime library a `-dev` package builds against, where it has an obvious one.
pub(crate) fn runtime_library(os: Os, pkg: &str) -> Option<&'static str> {
    let name = package_name(pkg);
    let table: &[(&str, &str)] = match os {
        // Debian 12 (bookworm) names; the official language images are built on it.
        Os::Debian => &[
            ("libpq-dev", "libpq5"),
            ("default-libmysqlclient-dev", "libmariadb3"),
            ("libmariadb-dev", "libmariadb3"),
            ("libmariadb-dev-compat", "libmariadb3"),
            ("libjpeg-dev", "libjpeg62-turbo"),
            ("libjpeg62-turbo-dev", "libjpeg62-turbo"),
            ("libpng-dev", "libpng16-16"),
            ("libtiff-dev", "libtiff6"),
            ("libtiff5-dev", "libtiff6"),
            ("libwebp-dev", "libwebp7"),
            ("libfreetype6-dev", "libfreetype6"),
            ("libfreetype-dev", "libfreetype6"),
            ("liblcms2-dev", "liblcms2-2"),
            ("libopenjp2-7-dev", "libopenjp2-7"),
            ("libxml2-dev", "libxml2"),
            ("libxslt1-dev", "libxslt1.1"),
            ("libxslt-dev", "libxslt1.1"),
            ("libffi-dev", "libffi8"),
            ("libssl-dev", "libssl3"),
            ("zlib1g-dev", "zlib1g"),
            ("libsqlite3-dev", "libsqlite3-0"),
            ("libcurl4-openssl-dev", "libcurl4"),
            ("libyaml-dev", "libyaml-0-2"),
            ("libzstd-dev", "libzstd1"),
            ("libbz2-dev", "libbz2-1.0"),
            ("liblzma-dev", "liblzma5"),
            ("libreadline-dev", "libreadline8"),
            ("libgeos-dev", "libgeos-c1v5"),
            ("libproj-dev", "libproj25"),
            ("libgdal-dev", "libgdal32"),
            ("libmagic-dev", "libmagic1"),
            ("libsasl2-dev", "libsasl2-2"),
            ("libldap2-dev", "libldap-2.5-0"),
            ("libldap-dev", "libldap-2.5-0"),
            ("libsnappy-dev", "libsnappy1v5"),
            ("libgmp-dev", "libgmp10"),
            ("libev-dev", "libev4"),
            ("libevent-dev", "libevent-2.1-7"),
            ("libcairo2-dev", "libcairo2"),
            ("libpango1.0-dev", "libpango-1.0-0"),
            ("libkrb5-dev", "libkrb5-3"),
            ("unixodbc-dev", "unixodbc"),
            ("libsodium-dev", "libsodium23"),
            ("libvips-dev", "libvips42"),
            ("libmagickwand-dev", "libmagickwand-6.q16-6"),
            ("libglib2.0-dev", "libglib2.0-0"),
            ("libpcre3-dev", "libpcre3"),
        ],
        Os::Alpine => &[
            ("postgresql-dev", "libpq"),
            ("libpq-dev", "libpq"),
            ("mariadb-dev", "mariadb-connector-c"),
            ("mariadb-connector-c-dev", "mariadb-connector-c"),
            ("jpeg-dev", "libjpeg-turbo"),
            ("libjpeg-turbo-dev", "libjpeg-turbo"),
            ("libpng-dev", "libpng"),
            ("libffi-dev", "libffi"),
            ("zlib-dev", "zlib"),
            ("libxml2-dev", "libxml2"),
            ("libxslt-dev", "libxslt"),
            ("freetype-dev", "freetype"),
            ("libwebp-dev", "libwebp"),
            ("tiff-dev", "tiff"),
            ("lcms2-dev", "lcms2"),
            ("openjpeg-dev", "openjpeg"),
            ("sqlite-dev", "sqlite-libs"),
            ("curl-dev", "libcurl"),
            ("yaml-dev", "yaml"),
            ("geos-dev", "geos"),
            ("cairo-dev", "cairo"),
            ("vips-dev", "vips"),
            ("libsodium-dev", "libsodium"),
            ("krb5-dev", "krb5-libs"),
            ("unixodbc-dev", "unixodbc"),
            ("openssl-dev", "libssl3"),
        ],
    };
    table.iter().find(|(dev, _)| *dev == name).map(|(_, l)| *l)
}

/// What the runtime stage must install, given what the build installed: runtime libraries
/// for `-dev` packages, and every package that is not a build tool. `used_at_runtime` names
/// tools (`curl`) that the runtime instructions call, which are kept.
pub(crate) fn runtime_packages(
    os: Os,
    installed: &[String],
    used_at_runtime: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |p: String| {
        if !out.iter().any(|o| package_name(o) == package_name(&p)) {
            out.push(p);
        }
    };
    for pkg in installed {
        let name = package_name(pkg);
        if let Some(lib) = runtime_library(os, pkg) {
            push(lib.to_string());
        } else if !is_build_tool(pkg) || used_at_runtime(name) {
            push(pkg.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::shell::split_script;

    #[test]
    fn reads_installs_and_maps_runtime_libraries() {
        let c = split_script("apt-get install -y --no-install-recommends gcc libpq-dev ffmpeg curl=7.88.1-10 -o Dpkg::Options::=x");
        let (os, pkgs) = os_installs(&c[0]).unwrap();
        assert_eq!(os, Os::Debian);
        assert_eq!(pkgs, ["gcc", "libpq-dev", "ffmpeg", "curl=7.88.1-10"]);
        let none = |_: &str| false;
        assert_eq!(runtime_packages(os, &pkgs, &none), ["libpq5", "ffmpeg"]);
        let curl = |n: &str| n == "curl";
        assert_eq!(
            runtime_packages(os, &pkgs, &curl),
            ["libpq5", "ffmpeg", "curl=7.88.1-10"]
        );
        let c = split_script("apk add --no-cache --virtual .build-deps build-base postgresql-dev");
        let (os, pkgs) = os_installs(&c[0]).unwrap();
        assert_eq!(os, Os::Alpine);
        assert_eq!(pkgs, ["build-base", "postgresql-dev"]);
        assert_eq!(runtime_packages(os, &pkgs, &none), ["libpq"]);
    }
}
