//! ipfs-pack: packs a file or directory into UnixFS, prints the root CID and
//! optionally writes a CARv1, with ipfs-car's defaults (wrapping a single
//! file, skipping hidden files) so the two give the same CIDs and CARs.

use std::fs::{self, File};
use std::io::{BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Parser;
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use minty::ipfs::car::{car_header, write_car_block};
use minty::ipfs::directory::{javascript_order, DirectoryPlan, PackStep};
use minty::ipfs::file_importer::{DagLink, FileImporter};
use minty::ipfs::profile::ALL_PROFILES;
use minty::ipfs::{Block, Cid, ImportProfile};

/// ipfs-car writes this root first and rewrites the header once the real
/// root is known; both are 36-byte CIDs, so the header keeps its length.
const PLACEHOLDER_ROOT: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

const READ_SIZE: usize = 1 << 20;

/// Inputs up to this size pack in a moment; only larger ones get a
/// progress bar.
const PROGRESS_THRESHOLD: u64 = 64 << 20;

/// Packs a file or directory into UnixFS and prints its root CID, exactly
/// as ipfs-car does.
#[derive(Debug, Parser)]
#[command(
    name = "ipfs-pack",
    version,
    after_help = "The root CID alone goes to stdout; progress and errors go to stderr."
)]
struct Options {
    /// The file or directory to pack.
    #[arg(value_name = "FILE|DIR")]
    input: PathBuf,
    /// Do not wrap a single file in a directory (ipfs-car's --no-wrap).
    #[arg(long)]
    no_wrap: bool,
    /// Include hidden files (names starting with a dot).
    #[arg(short = 'H', long)]
    hidden: bool,
    /// The import profile, which decides chunk size and tree width.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "nft-storage",
        value_parser = profile_parser()
    )]
    profile: ImportProfile,
    /// Also write the blocks as a CARv1 file.
    #[arg(short, long, value_name = "OUT.car")]
    output: Option<PathBuf>,
    /// No progress bar or throughput on a terminal.
    #[arg(short, long)]
    quiet: bool,
}

/// The profile names as clap's possible values, so `--help` lists them.
fn profile_parser() -> impl TypedValueParser<Value = ImportProfile> {
    PossibleValuesParser::new(ALL_PROFILES.map(|profile| profile.name)).map(|name| {
        name.parse::<ImportProfile>()
            .expect("clap only passes the profiles' own names")
    })
}

/// A file to pack: where it is on disk, its name inside the DAG and its
/// size (for the progress bar).
struct InputFile {
    path: PathBuf,
    name: String,
    size: u64,
}

/// Lists the files under `input` as ipfs-car's files-from-path does: hidden
/// names skipped unless asked for, symbolic links inside directories not
/// followed, names relative to the deepest directory common to all files.
fn collect_files(input: &Path, hidden: bool) -> Result<Vec<InputFile>> {
    let input = fs::canonicalize(input)
        .with_context(|| format!("The path {} does not exist", input.display()))?;
    let mut paths = Vec::new();
    if hidden || !is_hidden(&input) {
        let metadata =
            fs::metadata(&input).with_context(|| format!("reading {}", input.display()))?;
        if metadata.is_file() {
            paths.push((input.clone(), metadata.len()));
        } else if metadata.is_dir() {
            walk_directory(&input, hidden, &mut paths)?;
        }
    }
    let texts: Vec<&str> = paths
        .iter()
        .map(|(path, _)| {
            path.to_str()
                .with_context(|| format!("{} is not valid UTF-8", path.display()))
        })
        .collect::<Result<_>>()?;
    let common_length = common_directory(&texts).len() + 1;
    let mut files: Vec<InputFile> = paths
        .iter()
        .zip(&texts)
        .map(|((path, size), text)| InputFile {
            name: text[common_length.min(text.len())..].to_owned(),
            path: path.clone(),
            size: *size,
        })
        .collect();
    files.sort_by(|a, b| javascript_order(&a.name, &b.name));
    Ok(files)
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with('.'))
}

fn walk_directory(directory: &Path, hidden: bool, out: &mut Vec<(PathBuf, u64)>) -> Result<()> {
    let listing = || format!("listing {}", directory.display());
    for entry in fs::read_dir(directory).with_context(listing)? {
        let entry = entry.with_context(listing)?;
        let path = entry.path();
        if !hidden && is_hidden(&path) {
            continue;
        }
        let kind = entry
            .file_type()
            .with_context(|| format!("reading {}", path.display()))?;
        if kind.is_file() {
            let size = entry
                .metadata()
                .with_context(|| format!("reading {}", path.display()))?
                .len();
            out.push((path, size));
        } else if kind.is_dir() {
            walk_directory(&path, hidden, out)?;
        }
    }
    Ok(())
}

/// The directory part shared by every path ("/a/b" for "/a/b/c" and
/// "/a/b/d/e"), compared segment by segment.
fn common_directory(paths: &[&str]) -> String {
    let mut common: Option<Vec<&str>> = None;
    for path in paths {
        let segments: Vec<&str> = path.split('/').collect();
        common = Some(match common {
            None => segments[..segments.len() - 1].to_vec(),
            Some(prefix) => prefix
                .iter()
                .zip(&segments)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    common.unwrap_or_default().join("/")
}

/// Where blocks go: a CAR file, or nowhere when only the CID is wanted.
struct BlockSink {
    car: Option<BufWriter<File>>,
}

impl BlockSink {
    fn put(&mut self, blocks: &mut Vec<Block>) -> Result<()> {
        if let Some(car) = &mut self.car {
            for block in blocks.iter() {
                write_car_block(car, block).context("writing the CAR")?;
            }
        }
        blocks.clear();
        Ok(())
    }
}

fn import_file(
    path: &Path,
    profile: ImportProfile,
    sink: &mut BlockSink,
    progress: &ProgressBar,
) -> Result<DagLink> {
    let reading = || format!("reading {}", path.display());
    let mut file = File::open(path).with_context(reading)?;
    let mut importer = FileImporter::new(profile);
    let mut buffer = vec![0u8; READ_SIZE];
    let mut blocks = Vec::new();
    loop {
        let read = file.read(&mut buffer).with_context(reading)?;
        if read == 0 {
            break;
        }
        importer.write(&buffer[..read], &mut blocks);
        sink.put(&mut blocks)?;
        progress.inc(read as u64);
    }
    let root = importer.finish(&mut blocks);
    sink.put(&mut blocks)?;
    Ok(root)
}

/// A progress bar on stderr for a large input when stderr is a terminal;
/// a hidden one (which draws nothing) otherwise.
fn progress_bar(total_bytes: u64, quiet: bool) -> ProgressBar {
    if quiet || total_bytes <= PROGRESS_THRESHOLD || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(
        "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec}, {eta} left",
    )
    .expect("the template is valid");
    ProgressBar::new(total_bytes).with_style(style)
}

fn pack(options: &Options) -> Result<Cid> {
    let files = collect_files(&options.input, options.hidden)?;
    let total_bytes = files.iter().map(|file| file.size).sum();
    let progress = progress_bar(total_bytes, options.quiet);
    let started = Instant::now();

    let placeholder: Cid = PLACEHOLDER_ROOT
        .parse()
        .expect("the placeholder is a valid CID");
    let mut sink = BlockSink { car: None };
    if let Some(output) = &options.output {
        let file =
            File::create(output).with_context(|| format!("creating {}", output.display()))?;
        let mut car = BufWriter::new(file);
        car.write_all(&car_header(&[placeholder]))
            .context("writing the CAR")?;
        sink.car = Some(car);
    }

    let root = if files.len() == 1 && options.no_wrap {
        import_file(&files[0].path, options.profile, &mut sink, &progress)?.cid
    } else {
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        let mut plan = DirectoryPlan::new(options.profile, &names)?;
        let mut root = None;
        for step in plan.steps() {
            match step {
                PackStep::ImportFile(index) => {
                    let file = &files[index];
                    let link = import_file(&file.path, options.profile, &mut sink, &progress)?;
                    plan.record_file(index, link.cid, link.dag_size);
                }
                PackStep::CloseDirectory(directory) => {
                    let mut blocks = plan.close_directory(directory);
                    root = blocks.last().map(|block| block.cid);
                    sink.put(&mut blocks)?;
                }
            }
        }
        root.expect("the root directory is closed last")
    };

    if let Some(car) = sink.car.take() {
        let mut file = car.into_inner().context("writing the CAR")?;
        let header = car_header(&[root]);
        assert_eq!(
            header.len(),
            car_header(&[placeholder]).len(),
            "root CIDs are 36 bytes"
        );
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(&header))
            .context("writing the CAR")?;
    }

    if !progress.is_hidden() {
        progress.finish_and_clear();
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "packed {} in {seconds:.1} s ({}/s)",
            HumanBytes(total_bytes),
            HumanBytes((total_bytes as f64 / seconds.max(1e-3)) as u64)
        );
    }
    Ok(root)
}

pub fn main() -> ExitCode {
    // clap prints --help and --version to stdout (exit 0), and a usage
    // error with a hint to stderr (exit 2).
    let options = Options::parse();
    match pack(&options) {
        Ok(root) => {
            println!("{root}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("ipfs-pack: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Options::command().debug_assert();
    }

    #[test]
    fn common_directory_is_the_deepest_shared_one() {
        assert_eq!(common_directory(&["/a/b/c", "/a/b/d/e"]), "/a/b");
        assert_eq!(common_directory(&["/a/b/c"]), "/a/b");
    }
}
