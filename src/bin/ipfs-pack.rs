//! ipfs-pack: packs a file or directory into UnixFS, prints the root CID and
//! optionally writes a CARv1, with ipfs-car's defaults (wrapping a single
//! file, skipping hidden files) so the two give the same CIDs and CARs.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use minty::ipfs::car::{car_header, write_car_block};
use minty::ipfs::directory::{javascript_order, DirectoryPlan, PackStep};
use minty::ipfs::file_importer::{DagLink, FileImporter};
use minty::ipfs::{Block, Cid, ImportProfile};

const USAGE: &str = "usage: ipfs-pack <FILE|DIR> [--no-wrap] [--hidden] \
[--profile nft-storage|unixfs-v1-2025] [--output OUT.car]";

/// ipfs-car writes this root first and rewrites the header once the real
/// root is known; both are 36-byte CIDs, so the header keeps its length.
const PLACEHOLDER_ROOT: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

const READ_SIZE: usize = 1 << 20;

struct Options {
    input: PathBuf,
    wrap: bool,
    hidden: bool,
    profile: ImportProfile,
    output: Option<PathBuf>,
}

fn parse_arguments(arguments: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut input = None;
    let mut options = Options {
        input: PathBuf::new(),
        wrap: true,
        hidden: false,
        profile: ImportProfile::default(),
        output: None,
    };
    let mut arguments = arguments.peekable();
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--no-wrap" => options.wrap = false,
            "--hidden" | "-H" => options.hidden = true,
            "--profile" => {
                let name = arguments.next().ok_or("--profile needs a name")?;
                options.profile = name.parse().map_err(|e| format!("{e}"))?;
            }
            "--output" | "-o" => {
                options.output = Some(arguments.next().ok_or("--output needs a file name")?.into())
            }
            "--help" | "-h" => return Err(USAGE.to_owned()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}\n{USAGE}")),
            path if input.is_none() => input = Some(PathBuf::from(path)),
            _ => return Err(format!("only one input may be given\n{USAGE}")),
        }
    }
    options.input = input.ok_or(USAGE)?;
    Ok(options)
}

/// A file to pack: where it is on disk and its name inside the DAG.
struct InputFile {
    path: PathBuf,
    name: String,
}

/// Lists the files under `input` as ipfs-car's files-from-path does: hidden
/// names skipped unless asked for, symbolic links inside directories not
/// followed, names relative to the deepest directory common to all files.
fn collect_files(input: &Path, hidden: bool) -> Result<Vec<InputFile>, String> {
    let input = fs::canonicalize(input)
        .map_err(|_| format!("The path {} does not exist", input.display()))?;
    let mut paths = Vec::new();
    if hidden || !is_hidden(&input) {
        let metadata = fs::metadata(&input).map_err(|e| format!("{}: {e}", input.display()))?;
        if metadata.is_file() {
            paths.push(input.clone());
        } else if metadata.is_dir() {
            walk_directory(&input, hidden, &mut paths)?;
        }
    }
    let texts: Vec<String> = paths
        .iter()
        .map(|p| {
            p.to_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{} is not valid UTF-8", p.display()))
        })
        .collect::<Result<_, _>>()?;
    let common_length = common_directory(&texts).len() + 1;
    let mut files: Vec<InputFile> = paths
        .into_iter()
        .zip(&texts)
        .map(|(path, text)| InputFile {
            name: text[common_length.min(text.len())..].to_owned(),
            path,
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

fn walk_directory(directory: &Path, hidden: bool, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = fs::read_dir(directory).map_err(|e| format!("{}: {e}", directory.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", directory.display()))?;
        let path = entry.path();
        if !hidden && is_hidden(&path) {
            continue;
        }
        let kind = entry
            .file_type()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if kind.is_file() {
            out.push(path);
        } else if kind.is_dir() {
            walk_directory(&path, hidden, out)?;
        }
    }
    Ok(())
}

/// The directory part shared by every path ("/a/b" for "/a/b/c" and
/// "/a/b/d/e"), compared segment by segment.
fn common_directory(paths: &[String]) -> String {
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
    fn put(&mut self, blocks: &mut Vec<Block>) -> Result<(), String> {
        if let Some(car) = &mut self.car {
            for block in blocks.iter() {
                write_car_block(car, block).map_err(|e| format!("writing the CAR: {e}"))?;
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
) -> Result<DagLink, String> {
    let mut file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut importer = FileImporter::new(profile);
    let mut buffer = vec![0u8; READ_SIZE];
    let mut blocks = Vec::new();
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if read == 0 {
            break;
        }
        importer.write(&buffer[..read], &mut blocks);
        sink.put(&mut blocks)?;
    }
    let root = importer.finish(&mut blocks);
    sink.put(&mut blocks)?;
    Ok(root)
}

fn pack(options: &Options) -> Result<Cid, String> {
    let files = collect_files(&options.input, options.hidden)?;
    let placeholder: Cid = PLACEHOLDER_ROOT
        .parse()
        .expect("the placeholder is a valid CID");
    let mut sink = BlockSink { car: None };
    if let Some(output) = &options.output {
        let mut car =
            BufWriter::new(File::create(output).map_err(|e| format!("{}: {e}", output.display()))?);
        car.write_all(&car_header(&[placeholder]))
            .map_err(|e| format!("writing the CAR: {e}"))?;
        sink.car = Some(car);
    }

    let root = if files.len() == 1 && !options.wrap {
        import_file(&files[0].path, options.profile, &mut sink)?.cid
    } else {
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        let mut plan = DirectoryPlan::new(options.profile, &names).map_err(|e| e.to_string())?;
        let mut root = None;
        for step in plan.steps() {
            match step {
                PackStep::ImportFile(index) => {
                    let link = import_file(&files[index].path, options.profile, &mut sink)?;
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
        let mut file = car
            .into_inner()
            .map_err(|e| format!("writing the CAR: {e}"))?;
        let header = car_header(&[root]);
        assert_eq!(
            header.len(),
            car_header(&[placeholder]).len(),
            "root CIDs are 36 bytes"
        );
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(&header))
            .map_err(|e| format!("writing the CAR: {e}"))?;
    }
    Ok(root)
}

fn main() -> ExitCode {
    let options = match parse_arguments(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match pack(&options) {
        Ok(root) => {
            println!("{root}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("ipfs-pack: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_directory_is_the_deepest_shared_one() {
        let paths = vec!["/a/b/c".to_string(), "/a/b/d/e".to_string()];
        assert_eq!(common_directory(&paths), "/a/b");
        assert_eq!(common_directory(&["/a/b/c".to_string()]), "/a/b");
    }
}
