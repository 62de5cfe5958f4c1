//! The measured rows, judged against their class targets, as a table with a
//! summary line per class.

use super::measure::Cell;
use super::workloads::{Class, Workload};

pub struct Row<'a> {
    pub workload: &'a Workload,
    pub native: Cell,
    pub qemu: Cell,
    pub emu: Cell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Meets,
    Misses,
    NotMeasured,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Meets => "meets",
            Verdict::Misses => "misses",
            Verdict::NotMeasured => "not measured",
        }
    }
}

impl Row<'_> {
    /// What the class compares, in the row's unit: wall time, or peak RSS
    /// for the memory class.
    pub fn value(&self, cell: &Cell) -> Option<f64> {
        let (secs, rss_kib) = cell.done()?;
        Some(match self.workload.class {
            Class::Memory => rss_kib as f64 / 1024.0,
            Class::Startup => secs * 1000.0,
            _ => secs,
        })
    }

    fn ratio(&self, a: &Cell, b: &Cell) -> Option<f64> {
        Some(self.value(a)? / self.value(b)?)
    }

    pub fn emu_qemu(&self) -> Option<f64> {
        self.ratio(&self.emu, &self.qemu)
    }

    pub fn qemu_native(&self) -> Option<f64> {
        self.ratio(&self.qemu, &self.native)
    }

    pub fn verdict(&self) -> Verdict {
        match self.emu_qemu() {
            Some(r) if r <= self.workload.class.target() => Verdict::Meets,
            Some(_) => Verdict::Misses,
            None => Verdict::NotMeasured,
        }
    }

    fn cells(&self) -> [(&'static str, &Cell); 3] {
        [("native", &self.native), ("qemu", &self.qemu), ("emu", &self.emu)]
    }

    /// Why cells are empty or failed: one line each, or one for the row when
    /// all three share the reason (a missing prerequisite).
    pub fn notes(&self) -> Vec<String> {
        let why = |c: &Cell| match c {
            Cell::Done { .. } => None,
            Cell::Failed(w) => Some(format!("FAIL: {w}")),
            Cell::Skipped(w) => Some(w.clone()),
        };
        let name = &self.workload.name;
        let reasons: Vec<(&str, String)> =
            self.cells().into_iter().filter_map(|(who, c)| Some((who, why(c)?))).collect();
        if reasons.len() == 3 && reasons.iter().all(|(_, w)| *w == reasons[0].1) {
            return vec![format!("{name}: {}", reasons[0].1)];
        }
        reasons.into_iter().map(|(who, w)| format!("{name} under {who}: {w}")).collect()
    }
}

fn target_text(class: Class) -> String {
    format!("≤ {:.2}", class.target())
}

pub fn print_table(rows: &[Row]) {
    let header = [
        "class",
        "workload",
        "unit",
        "native",
        "qemu",
        "emu",
        "qemu/native",
        "emu/qemu",
        "target",
        "verdict",
        "qemu RSS MiB",
        "emu RSS MiB",
    ];
    let mut table = vec![header.map(String::from).to_vec()];
    for row in rows {
        let class = row.workload.class;
        let digits = match class {
            Class::Startup => 2,
            Class::Memory => 1,
            _ => 3,
        };
        let value = |c: &Cell| match (c, row.value(c)) {
            (_, Some(v)) => format!("{v:.digits$}"),
            (Cell::Failed(_), _) => "FAIL".to_string(),
            _ => "–".to_string(),
        };
        let ratio = |r: Option<f64>| r.map_or_else(|| "–".to_string(), |r| format!("{r:.2}"));
        let rss = |c: &Cell| c.done().map_or_else(|| "–".to_string(), |(_, kib)| format!("{:.1}", kib as f64 / 1024.0));
        table.push(vec![
            class.label().to_string(),
            row.workload.name.clone(),
            class.unit().to_string(),
            value(&row.native),
            value(&row.qemu),
            value(&row.emu),
            ratio(row.qemu_native()),
            ratio(row.emu_qemu()),
            target_text(class),
            row.verdict().label().to_string(),
            rss(&row.qemu),
            rss(&row.emu),
        ]);
    }
    print_aligned(&table);
}

/// How the rows of one class did.
pub struct Tally<'a> {
    pub class: Class,
    pub meets: usize,
    pub misses: usize,
    pub not_measured: usize,
    /// The largest emu/qemu ratio, and its row.
    pub worst: Option<(f64, &'a str)>,
}

/// A tally for each class that has rows.
pub fn tallies<'a>(rows: &'a [Row]) -> Vec<Tally<'a>> {
    let mut out = Vec::new();
    for class in Class::ALL {
        let of_class: Vec<&Row> = rows.iter().filter(|r| r.workload.class == class).collect();
        if of_class.is_empty() {
            continue;
        }
        let count = |v: Verdict| of_class.iter().filter(|r| r.verdict() == v).count();
        let worst = of_class
            .iter()
            .filter_map(|r| Some((r.emu_qemu()?, r.workload.name.as_str())))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        out.push(Tally {
            class,
            meets: count(Verdict::Meets),
            misses: count(Verdict::Misses),
            not_measured: count(Verdict::NotMeasured),
            worst,
        });
    }
    out
}

/// One line per class: how many rows meet the target, and the worst ratio.
pub fn print_summary(rows: &[Row]) {
    for t in tallies(rows) {
        let mut line = format!(
            "{:<15} emu/qemu {}: meets {}, misses {}, not measured {}",
            t.class.label(),
            target_text(t.class),
            t.meets,
            t.misses,
            t.not_measured
        );
        if let Some((ratio, name)) = t.worst {
            line += &format!("; worst {ratio:.2} ({name})");
        }
        println!("{line}");
    }
}

/// Text columns of the table (class, workload, unit, target, verdict); the
/// numbers are aligned right.
const LEFT: [usize; 5] = [0, 1, 2, 8, 9];

fn print_aligned(rows: &[Vec<String>]) {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> =
        (0..columns).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .enumerate()
            // Text columns to the left, numbers to the right.
            .map(|(c, (cell, w))| if LEFT.contains(&c) { format!("{cell:<w$}") } else { format!("{cell:>w$}") })
            .collect();
        println!("| {} |", cells.join(" | "));
        if i == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            println!("|-{}-|", rule.join("-|-"));
        }
    }
}
