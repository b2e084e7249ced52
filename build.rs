//! Build script: a build id that changes whenever the source does (`ORGSIM_BUILD_ID`), so that a
//! resumed sweep is refused when the program that started it is not the one resuming it. The version
//! number alone does not change between commits, and a checkout need not be a git repository.

use std::fs;
use std::path::Path;

/// FNV-1a, 64-bit: stable across toolchains, unlike the standard library's hasher.
fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= u64::from(b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

/// Every file under `dir`, in sorted order, so the hash does not depend on directory order.
fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let mut inputs = Vec::new();
    files(Path::new("src"), &mut inputs);
    inputs.push("Cargo.toml".into());
    inputs.push("Cargo.lock".into());
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for path in &inputs {
        fnv1a(&mut hash, path.to_string_lossy().as_bytes());
        if let Ok(bytes) = fs::read(path) {
            fnv1a(&mut hash, &bytes);
        }
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=ORGSIM_BUILD_ID={version}+{hash:016x}");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
}
