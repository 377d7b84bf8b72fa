//! The statistics rule: figures about people never reveal small groups.
//!
//! A count of 1 to 4 people is shown as "<5" (primary suppression). That alone is not enough: a
//! reader who sees the other cells of a row and the row's total works the small one out by
//! subtraction. So in every line of a table (a row with its total, a column with its total, the
//! totals themselves) that hides anything, at least two entries are hidden and at least one of them
//! is not a small count: the smallest other non-zero count is hidden too ("x", secondary
//! suppression), and where the line has none, its total is. Hiding one cell can open another
//! line, so this repeats until every line holds. Zeros reveal no one and stay visible.
//!
//! This module is the one place the rule lives; every figure about people (programme
//! participants, and the case statistics to come) goes through it.

use std::fmt;

/// How a count is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Count(i64),
    /// 1 to 4: shown as "<5".
    Small,
    /// Hidden so that a small count elsewhere cannot be worked out: shown as "x".
    Hidden,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shown::Count(n) => write!(f, "{n}"),
            Shown::Small => f.write_str("<5"),
            Shown::Hidden => f.write_str("x"),
        }
    }
}

impl Shown {
    fn primary(n: i64) -> Shown {
        if (1..5).contains(&n) {
            Shown::Small
        } else {
            Shown::Count(n)
        }
    }

    fn suppressed(self) -> bool {
        !matches!(self, Shown::Count(_))
    }
}

/// A table of counts as it may be shown: cells by row and column, the row totals, the column
/// totals and the grand total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub cells: Vec<Vec<Shown>>,
    pub row_totals: Vec<Shown>,
    pub column_totals: Vec<Shown>,
    pub total: Shown,
}

/// Which margins a table shows: only the lines whose total is shown can give anything away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Margins {
    rows: bool,
    columns: bool,
}

/// Applies the rule to a table shown with row totals, column totals and the grand total.
/// `counts` is by row; rows shorter than the longest count as zeros.
pub fn suppress_table(counts: &[Vec<i64>]) -> Table {
    suppress(
        counts,
        Margins {
            rows: true,
            columns: true,
        },
    )
}

/// Applies the rule to one column of counts shown with its total.
pub fn suppress_column(cells: &[i64]) -> (Vec<Shown>, Shown) {
    let rows: Vec<Vec<i64>> = cells.iter().map(|&n| vec![n]).collect();
    let table = suppress(
        &rows,
        Margins {
            rows: false,
            columns: true,
        },
    );
    let shown = table.cells.into_iter().map(|r| r[0]).collect();
    // A column without cells still has its (zero) total.
    let total = table.column_totals.first().copied().unwrap_or(table.total);
    (shown, total)
}

/// A position in the grid (row, column).
type At = (usize, usize);

/// A line of the grid: its data entries and the margin entry that totals them.
type Line = (Vec<At>, At);

fn suppress(counts: &[Vec<i64>], margins: Margins) -> Table {
    let rows = counts.len();
    let columns = counts.iter().map(Vec::len).max().unwrap_or(0);
    // The grid with its margins: row `rows` holds the column totals, column `columns` the row
    // totals, the corner the grand total.
    let mut value = vec![vec![0i64; columns + 1]; rows + 1];
    for (i, row) in counts.iter().enumerate() {
        for (j, &n) in row.iter().enumerate() {
            let n = n.max(0);
            value[i][j] = n;
            value[i][columns] += n;
            value[rows][j] += n;
            value[rows][columns] += n;
        }
    }
    let mut shown: Vec<Vec<Shown>> = value
        .iter()
        .map(|r| r.iter().map(|&n| Shown::primary(n)).collect())
        .collect();
    // Each line: its data entries and its margin entry.
    let mut lines: Vec<Line> = Vec::new();
    if margins.rows {
        for i in 0..rows {
            lines.push(((0..columns).map(|j| (i, j)).collect(), (i, columns)));
        }
    }
    if margins.columns {
        for j in 0..columns {
            lines.push(((0..rows).map(|i| (i, j)).collect(), (rows, j)));
        }
    }
    if margins.rows && margins.columns {
        // The totals are lines too: the column totals add up to the grand total, and so do the
        // row totals.
        lines.push(((0..columns).map(|j| (rows, j)).collect(), (rows, columns)));
        lines.push(((0..rows).map(|i| (i, columns)).collect(), (rows, columns)));
    }
    loop {
        let mut changed = false;
        for (entries, margin) in &lines {
            let all = entries.iter().chain(std::iter::once(margin));
            let suppressed: Vec<Shown> = all
                .map(|&(i, j)| shown[i][j])
                .filter(|s| s.suppressed())
                .collect();
            let safe = suppressed.is_empty()
                || (suppressed.len() >= 2 && suppressed.contains(&Shown::Hidden));
            if safe {
                continue;
            }
            let candidate = entries
                .iter()
                .filter(|&&(i, j)| matches!(shown[i][j], Shown::Count(n) if n > 0))
                .min_by_key(|&&(i, j)| (value[i][j], i, j))
                .copied()
                .or_else(|| {
                    let (i, j) = *margin;
                    matches!(shown[i][j], Shown::Count(n) if n > 0).then_some(*margin)
                });
            if let Some((i, j)) = candidate {
                shown[i][j] = Shown::Hidden;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let total = shown[rows][columns];
    let column_totals = shown[rows][..columns].to_vec();
    let row_totals = shown[..rows].iter().map(|r| r[columns]).collect();
    let cells = shown[..rows]
        .iter()
        .map(|r| r[..columns].to_vec())
        .collect();
    Table {
        cells,
        row_totals,
        column_totals,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::Shown::{Count, Hidden, Small};
    use super::*;

    #[test]
    fn one_column_hides_one_more_than_the_small_counts() {
        assert_eq!(
            suppress_column(&[12, 3, 0, 20]),
            (vec![Hidden, Small, Count(0), Count(20)], Count(35)),
            "3 shows as <5, and 12 is hidden, or 35 - 12 - 20 = 3"
        );
        assert_eq!(
            suppress_column(&[1, 1, 20]),
            (vec![Small, Small, Hidden], Count(22)),
            "two small cells: still one more hidden, or 22 - 20 = 1 + 1"
        );
        assert_eq!(
            suppress_column(&[4, 4]),
            (vec![Small, Small], Hidden),
            "nothing else to hide: the total goes (8 = 4 + 4)"
        );
        assert_eq!(suppress_column(&[3]), (vec![Small], Small));
        assert_eq!(
            suppress_column(&[5, 0, 9]),
            (vec![Count(5), Count(0), Count(9)], Count(14))
        );
        assert_eq!(suppress_column(&[]), (vec![], Count(0)));
        assert_eq!(Small.to_string(), "<5");
        assert_eq!(Hidden.to_string(), "x");
    }

    #[test]
    fn a_hidden_cell_is_protected_in_its_column_too() {
        // 2 in the top left is small; hiding 10 beside it opens the first column's second row and
        // the second column: each needs a second hidden entry.
        let t = suppress_table(&[vec![2, 10], vec![7, 8]]);
        assert_eq!(t.cells[0][0], Small);
        for line in lines_of(&t) {
            check_line(&line);
        }
    }

    /// Every line of a shown table: rows with their totals, columns with theirs, the totals.
    fn lines_of(t: &Table) -> Vec<Vec<Shown>> {
        let mut lines = Vec::new();
        for (row, total) in t.cells.iter().zip(&t.row_totals) {
            let mut l = row.clone();
            l.push(*total);
            lines.push(l);
        }
        let columns = t.column_totals.len();
        for j in 0..columns {
            let mut l: Vec<Shown> = t.cells.iter().map(|r| r[j]).collect();
            l.push(t.column_totals[j]);
            lines.push(l);
        }
        let mut l = t.column_totals.clone();
        l.push(t.total);
        lines.push(l);
        let mut l = t.row_totals.clone();
        l.push(t.total);
        lines.push(l);
        lines
    }

    /// The rule for one line, unless it cannot be met (nothing left to hide).
    fn check_line(line: &[Shown]) {
        let suppressed: Vec<&Shown> = line.iter().filter(|s| s.suppressed()).collect();
        let nothing_left = !line.iter().any(|s| matches!(s, Count(n) if *n > 0));
        assert!(
            suppressed.is_empty()
                || (suppressed.len() >= 2 && suppressed.contains(&&Hidden))
                || nothing_left,
            "{line:?}"
        );
    }

    /// A small generator with a fixed seed: the property holds for thousands of tables of counts
    /// such as a district's case statistics produce (many small numbers, some zeros).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> i64 {
            i64::try_from(self.next() % n).unwrap_or(0)
        }
    }

    #[test]
    fn no_table_gives_a_small_group_away() {
        let mut rng = Rng(0x5eed_1234_abcd_9876);
        for _ in 0..5_000 {
            let rows = 1 + rng.below(6) as usize;
            let columns = 1 + rng.below(6) as usize;
            let counts: Vec<Vec<i64>> = (0..rows)
                .map(|_| {
                    (0..columns)
                        .map(|_| match rng.below(4) {
                            0 => 0,
                            1 => 1 + rng.below(4),
                            _ => rng.below(60),
                        })
                        .collect()
                })
                .collect();
            let t = suppress_table(&counts);
            // What is shown is true, and nothing from 1 to 4 is shown as a number.
            for (i, row) in counts.iter().enumerate() {
                for (j, &n) in row.iter().enumerate() {
                    match t.cells[i][j] {
                        Count(c) => {
                            assert_eq!(c, n);
                            assert!(!(1..5).contains(&c), "{counts:?}");
                        }
                        Small => assert!((1..5).contains(&n)),
                        Hidden => assert!(n >= 5, "only counts of 5 or more are hidden"),
                    }
                }
            }
            for line in lines_of(&t) {
                check_line(&line);
            }
            let (column, total) = suppress_column(&counts.iter().map(|r| r[0]).collect::<Vec<_>>());
            let mut line = column.clone();
            line.push(total);
            check_line(&line);
        }
    }
}
