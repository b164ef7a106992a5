//! Small-cell suppression of published survey results about children: no
//! figure between 1 and k − 1 is shown, and no hidden figure can be worked out
//! exactly from the figures that are shown and the way they add up.
//!
//! # The rule
//!
//! A results table is a grid of counts (rows: the groups of a breakdown, one
//! row without a breakdown; columns: the answer options of one question), with
//! a total per row (respondents of the group who answered), per column, and a
//! grand total (the sum of the row totals). Think of the totals as one extra
//! column and one extra row: each *line* of that extended grid is a set of
//! figures with a known sum.
//!
//! Primary suppression hides every figure with 0 < n < k, and a group whose
//! total is below k is hidden entirely (its total and all its cells). Zeros
//! are shown, including a group of 0 respondents: a zero reveals nothing about
//! one child.
//!
//! Secondary suppression, for *additive* tables (single choice, yes/no,
//! rating buckets: the cells of a row sum to its total, columns total their
//! cells): every line of the extended grid — each row, each column, the row
//! of column totals and the column of row totals — has 0 or at least 2 hidden
//! figures. A line with exactly one gets a partner: the smallest shown non-zero
//! figure of the line other than its total (ties: the rightmost, in a column
//! the lowest), else the rightmost/lowest shown zero, else the line's total.
//! Hiding a group's total always hides the whole group, so in the column of
//! row totals the partner is the next smallest group. This repeats until
//! stable. Counting is not enough on its own (a hidden figure that links two
//! otherwise separate blocks of hidden figures is still pinned down), so a
//! final check treats hidden figures as edges between their row and column and
//! protects any bridge by hiding one more figure that closes a cycle through
//! it; a hidden figure lies on a cycle exactly when the equations of the table
//! cannot fix its value.
//!
//! For *multiple-choice* tables a cell is not bound by its row total, so cells
//! only get primary suppression. The row totals still sum to the grand total,
//! so the groups get the same rule as above (exactly one hidden group: hide the
//! next smallest one too). A column total is the sum of the cells of the shown
//! groups; when exactly one of its cells is hidden the column total is hidden
//! rather than a second cell.
//!
//! # Limits
//!
//! The guarantee is against exact recovery from one table by its linear
//! equations. It does not stop:
//! - narrowing by bounds: counts are non-negative, so linear programming over
//!   a table can bound a hidden cell, sometimes tightly (above all when its
//!   partner is a zero, or knowing that a primary cell lies in 1..k);
//! - differencing across tables: the same survey broken down two ways, over
//!   overlapping periods, or a group count published elsewhere (for example
//!   with [`publish_count`]) where this table hid it as a partner. Callers
//!   must publish each group's figures from one suppressed table;
//! - group disclosure: a zero shown in a group of at least k says that no one
//!   in the group chose that option. This is accepted by design.

/// Most figures a table may have, counting its totals as one extra row and one
/// extra column. A larger table is published empty rather than risk an
/// allocation that cannot be made; real tables are far smaller.
const MAX_FIGURES: usize = 1 << 20;

/// The smallest count that may be published (k); at least 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinCell(u64);

impl MinCell {
    /// k = 5, the usual threshold for statistics about children.
    pub const DEFAULT: MinCell = MinCell(5);

    /// Refuses k below 3: a count of 2 tells each of the two children what
    /// the other answered.
    pub fn new(k: u64) -> Result<MinCell, MinCellError> {
        if k < 3 {
            Err(MinCellError::BelowThree)
        } else {
            Ok(MinCell(k))
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// Whether a count is small enough to single a child out.
    fn hides(self, count: u64) -> bool {
        0 < count && count < self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MinCellError {
    #[error("the smallest publishable count must be at least 3")]
    BelowThree,
}

/// Counts to publish: `rows` × `cols` cells in row-major order and one total
/// per row (respondents of the group who answered the question).
///
/// When `additive` is true (single choice, yes/no, rating buckets) the cells
/// of each row sum to its total; otherwise (multiple choice) no cell exceeds
/// its row total. A table that breaks its shape or these rules is published
/// with every figure suppressed (see [`publish`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    pub rows: usize,
    pub cols: usize,
    pub cells: Vec<u64>,
    pub row_totals: Vec<u64>,
    pub additive: bool,
}

/// One published figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Figure {
    /// `share` is the part of the shown cells of its row (additive tables) or
    /// of the row's respondents (multiple choice); `None` for totals and when
    /// there is nothing to divide by.
    Shown {
        count: u64,
        share: Option<f64>,
    },
    Suppressed,
}

/// A table as it may be published, in the shape of its [`CountTable`].
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub cells: Vec<Figure>,
    pub row_totals: Vec<Figure>,
    pub col_totals: Vec<Figure>,
    pub grand_total: Figure,
}

/// Applies primary and secondary suppression and computes shares over what is
/// shown.
///
/// Column totals are the sums of the cells (multiple choice: of the cells of
/// the shown groups); the grand total is the sum of the row totals.
///
/// A malformed table — `cells.len() != rows × cols`, `row_totals.len() !=
/// rows`, an additive row whose cells do not sum to its total, a
/// multiple-choice cell above its row total, or sums that overflow — is
/// published in its declared shape with every figure suppressed; nothing is
/// guessed. A declared shape of more than about a million figures is published
/// empty (no rows, no columns, grand total suppressed). This never panics.
pub fn publish(table: &CountTable, k: MinCell) -> Published {
    let Some(mut grid) = Grid::of(table) else {
        return all_suppressed(table);
    };
    if table.additive {
        grid.suppress_additive(k);
    } else {
        grid.suppress_multiple_choice(k);
    }
    grid.published()
}

/// For a single group count (e.g. number of respondents in a unit): shown or
/// suppressed. Zero is shown.
pub fn publish_count(count: u64, k: MinCell) -> Figure {
    if k.hides(count) {
        Figure::Suppressed
    } else {
        Figure::Shown { count, share: None }
    }
}

fn all_suppressed(table: &CountTable) -> Published {
    let (rows, cols) = if extended_size(table.rows, table.cols).is_some_and(|size| size <= MAX_FIGURES) {
        (table.rows, table.cols)
    } else {
        (0, 0)
    };
    Published {
        cells: vec![Figure::Suppressed; rows * cols],
        row_totals: vec![Figure::Suppressed; rows],
        col_totals: vec![Figure::Suppressed; cols],
        grand_total: Figure::Suppressed,
    }
}

/// Figures of a table with its totals as one extra row and column.
fn extended_size(rows: usize, cols: usize) -> Option<usize> {
    rows.checked_add(1)?.checked_mul(cols.checked_add(1)?)
}

/// A line of the extended grid: a row (index `rows` is the row of column
/// totals) or a column (index `cols` is the column of row totals).
#[derive(Debug, Clone, Copy)]
enum Line {
    Row(usize),
    Column(usize),
}

/// The extended grid: cells at (i < rows, j < cols), row totals at
/// (i, cols), column totals at (rows, j), the grand total at (rows, cols).
struct Grid {
    rows: usize,
    cols: usize,
    additive: bool,
    values: Vec<u64>,
    hidden: Vec<bool>,
    /// Rows whose cells a column total adds up: all of them in additive
    /// tables, the shown groups in multiple-choice ones.
    in_columns: Vec<bool>,
}

impl Grid {
    /// The table as a grid, or `None` when it is malformed.
    fn of(table: &CountTable) -> Option<Grid> {
        let (rows, cols) = (table.rows, table.cols);
        let size = extended_size(rows, cols)?;
        if size > MAX_FIGURES || table.row_totals.len() != rows || rows.checked_mul(cols)? != table.cells.len() {
            return None;
        }
        let width = cols + 1;
        let mut values = vec![0; size];
        for (i, &total) in table.row_totals.iter().enumerate() {
            let row = table.cells.get(i * cols..(i + 1) * cols)?;
            let mut sum: u64 = 0;
            for (j, &count) in row.iter().enumerate() {
                if !table.additive && count > total {
                    return None;
                }
                sum = sum.checked_add(count)?;
                values[i * width + j] = count;
                values[rows * width + j] = values[rows * width + j].checked_add(count)?;
            }
            if table.additive && sum != total {
                return None;
            }
            values[i * width + cols] = total;
            values[rows * width + cols] = values[rows * width + cols].checked_add(total)?;
        }
        Some(Grid {
            rows,
            cols,
            additive: table.additive,
            values,
            hidden: vec![false; size],
            in_columns: vec![true; rows],
        })
    }

    fn at(&self, i: usize, j: usize) -> usize {
        i * (self.cols + 1) + j
    }

    fn value(&self, (i, j): (usize, usize)) -> u64 {
        self.values[self.at(i, j)]
    }

    fn is_hidden(&self, (i, j): (usize, usize)) -> bool {
        self.hidden[self.at(i, j)]
    }

    /// Hides one figure; hiding a group's total hides the whole group.
    /// Returns whether anything was newly hidden.
    fn hide(&mut self, (i, j): (usize, usize)) -> bool {
        let span = if i < self.rows && j == self.cols {
            0..self.cols + 1
        } else {
            j..j + 1
        };
        let mut changed = false;
        for jj in span {
            let at = self.at(i, jj);
            changed |= !self.hidden[at];
            self.hidden[at] = true;
        }
        changed
    }

    fn hide_primary(&mut self, k: MinCell) {
        let (rows, cols) = (self.rows, self.cols);
        for i in 0..rows {
            if k.hides(self.value((i, cols))) {
                self.hide((i, cols));
            }
        }
        for i in 0..rows {
            for j in 0..cols {
                if self.in_columns[i] && k.hides(self.value((i, j))) {
                    self.hide((i, j));
                }
            }
        }
        for j in 0..=cols {
            if k.hides(self.value((rows, j))) {
                self.hide((rows, j));
            }
        }
    }

    fn suppress_additive(&mut self, k: MinCell) {
        self.hide_primary(k);
        let lines: Vec<Line> = (0..=self.rows)
            .map(Line::Row)
            .chain((0..=self.cols).map(Line::Column))
            .collect();
        loop {
            self.settle(&lines);
            let Some(bridge) = self.bridge() else { break };
            if !self.close_cycle_through(bridge) {
                break;
            }
        }
    }

    /// Groups first: the row totals add up to the grand total whatever the
    /// question. Then the column totals, over the groups left shown.
    fn suppress_multiple_choice(&mut self, k: MinCell) {
        let (rows, cols) = (self.rows, self.cols);
        for i in 0..rows {
            if k.hides(self.value((i, cols))) {
                self.hide((i, cols));
            }
        }
        if k.hides(self.value((rows, cols))) {
            self.hide((rows, cols));
        }
        self.settle(&[Line::Column(cols)]);
        for i in 0..rows {
            self.in_columns[i] = !self.is_hidden((i, cols));
        }
        for j in 0..cols {
            let sum = (0..rows)
                .filter(|&i| self.in_columns[i])
                .map(|i| self.value((i, j)))
                .sum();
            let at = self.at(rows, j);
            self.values[at] = sum;
        }
        self.hide_primary(k);
        let lines: Vec<Line> = (0..cols).map(Line::Column).collect();
        self.settle(&lines);
    }

    /// The figures of a line that add up to its total, in order, and the total.
    fn members(&self, line: Line) -> (Vec<(usize, usize)>, (usize, usize)) {
        match line {
            Line::Row(i) => ((0..self.cols).map(|j| (i, j)).collect(), (i, self.cols)),
            Line::Column(j) => {
                let parts = (0..self.rows)
                    .filter(|&i| j == self.cols || self.in_columns[i])
                    .map(|i| (i, j))
                    .collect();
                (parts, (self.rows, j))
            }
        }
    }

    /// Gives every line with exactly one hidden figure a partner, until no
    /// such line is left.
    fn settle(&mut self, lines: &[Line]) {
        loop {
            let mut changed = false;
            for &line in lines {
                let (parts, total) = self.members(line);
                let hidden = parts.iter().chain([&total]).filter(|&&at| self.is_hidden(at)).count();
                if hidden == 1
                    && let Some(partner) = self.partner(line, &parts, total)
                {
                    changed |= self.hide(partner);
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// The figure to hide beside the only hidden one of a line.
    fn partner(&self, line: Line, parts: &[(usize, usize)], total: (usize, usize)) -> Option<(usize, usize)> {
        let total = (!self.is_hidden(total)).then_some(total);
        // A multiple-choice column total is not tied to anything else, so
        // hiding it costs less than hiding a second answer count.
        if !self.additive
            && let Line::Column(j) = line
            && j < self.cols
            && total.is_some()
        {
            return total;
        }
        // Smallest non-zero, then zeros; `<=` keeps the last of equals.
        let mut best: Option<((bool, u64), (usize, usize))> = None;
        for &at in parts.iter().filter(|&&at| !self.is_hidden(at)) {
            let value = self.value(at);
            let key = (value == 0, value);
            if best.is_none_or(|(best_key, _)| key <= best_key) {
                best = Some((key, at));
            }
        }
        best.map(|(_, at)| at).or(total)
    }

    /// The node of column `j` in the graph of hidden figures; row `i` is node `i`.
    fn column_node(&self, j: usize) -> usize {
        self.rows + 1 + j
    }

    /// For each row and column node: the neighbouring node and the figure
    /// (edge) joining them, for every hidden figure.
    fn adjacency(&self) -> Vec<Vec<(usize, usize)>> {
        let mut adjacency = vec![Vec::new(); self.rows + self.cols + 2];
        for i in 0..=self.rows {
            for j in 0..=self.cols {
                let at = self.at(i, j);
                if self.hidden[at] {
                    let c = self.column_node(j);
                    adjacency[i].push((c, at));
                    adjacency[c].push((i, at));
                }
            }
        }
        adjacency
    }

    /// A hidden figure that the equations of the table pin down: a bridge of
    /// the graph whose nodes are the rows and columns of the extended grid and
    /// whose edges are the hidden figures. Tarjan's bridge search, iterative
    /// so that a long table cannot exhaust the stack.
    fn bridge(&self) -> Option<(usize, usize)> {
        let adjacency = self.adjacency();
        let unseen = usize::MAX;
        let mut order = vec![unseen; adjacency.len()];
        let mut low = vec![0; adjacency.len()];
        let mut time = 0;
        let mut found: Option<usize> = None;
        for root in 0..adjacency.len() {
            if order[root] != unseen || adjacency[root].is_empty() {
                continue;
            }
            order[root] = time;
            low[root] = time;
            time += 1;
            // (node, edge it was entered by, next neighbour to look at)
            let mut stack = vec![(root, unseen, 0)];
            while let Some(top) = stack.last_mut() {
                let (node, via) = (top.0, top.1);
                if let Some(&(next, edge)) = adjacency[node].get(top.2) {
                    top.2 += 1;
                    if edge == via {
                        continue;
                    }
                    if order[next] == unseen {
                        order[next] = time;
                        low[next] = time;
                        time += 1;
                        stack.push((next, edge, 0));
                    } else {
                        low[node] = low[node].min(order[next]);
                    }
                } else {
                    stack.pop();
                    if let Some(&(parent, _, _)) = stack.last() {
                        low[parent] = low[parent].min(low[node]);
                        if low[node] > order[parent] {
                            found = Some(found.map_or(via, |f| f.min(via)));
                        }
                    }
                }
            }
        }
        found.map(|at| (at / (self.cols + 1), at % (self.cols + 1)))
    }

    /// Hides a shown figure joining the two sides of a bridge, so that the
    /// bridge lies on a cycle. Prefers cells (smallest non-zero, then zeros),
    /// then column totals, then whole groups, then the grand total.
    fn close_cycle_through(&mut self, (i, j): (usize, usize)) -> bool {
        let adjacency = self.adjacency();
        let bridge = self.at(i, j);
        let row_side = reachable(&adjacency, i, bridge);
        let column_side = reachable(&adjacency, self.column_node(j), bridge);
        let mut best: Option<((u8, u64), (usize, usize))> = None;
        for i in 0..=self.rows {
            for j in 0..=self.cols {
                let c = self.column_node(j);
                let joins = (row_side[i] && column_side[c]) || (column_side[i] && row_side[c]);
                if !joins || self.is_hidden((i, j)) {
                    continue;
                }
                let value = self.value((i, j));
                let class = match (i == self.rows, j == self.cols) {
                    (false, false) => u8::from(value == 0),
                    (true, false) => 2,
                    (false, true) => 3,
                    (true, true) => 4,
                };
                if best.is_none_or(|(best_key, _)| (class, value) <= best_key) {
                    best = Some(((class, value), (i, j)));
                }
            }
        }
        best.is_some_and(|(_, at)| self.hide(at))
    }

    fn published(&self) -> Published {
        let (rows, cols) = (self.rows, self.cols);
        let total = |at: (usize, usize)| {
            if self.is_hidden(at) {
                Figure::Suppressed
            } else {
                Figure::Shown {
                    count: self.value(at),
                    share: None,
                }
            }
        };
        let mut cells = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            let base = if self.additive {
                (0..cols)
                    .filter(|&j| !self.is_hidden((i, j)))
                    .map(|j| self.value((i, j)))
                    .sum()
            } else {
                self.value((i, cols))
            };
            for j in 0..cols {
                cells.push(if self.is_hidden((i, j)) {
                    Figure::Suppressed
                } else {
                    let count = self.value((i, j));
                    Figure::Shown {
                        count,
                        share: (base > 0).then(|| count as f64 / base as f64),
                    }
                });
            }
        }
        Published {
            cells,
            row_totals: (0..rows).map(|i| total((i, cols))).collect(),
            col_totals: (0..cols).map(|j| total((rows, j))).collect(),
            grand_total: total((rows, cols)),
        }
    }
}

/// Nodes reachable from `start` without crossing edge `skip`.
fn reachable(adjacency: &[Vec<(usize, usize)>], start: usize, skip: usize) -> Vec<bool> {
    let mut seen = vec![false; adjacency.len()];
    seen[start] = true;
    let mut todo = vec![start];
    while let Some(node) = todo.pop() {
        for &(next, edge) in &adjacency[node] {
            if edge != skip && !seen[next] {
                seen[next] = true;
                todo.push(next);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    /// A table written as lines of `cells | total`.
    fn table(additive: bool, text: &str) -> CountTable {
        let (mut cells, mut row_totals, mut cols) = (Vec::new(), Vec::new(), 0);
        for line in text.lines().map(str::trim).filter(|line| !line.is_empty()) {
            let (left, right) = line.split_once('|').unwrap();
            let row: Vec<u64> = left.split_whitespace().map(|n| n.parse().unwrap()).collect();
            cols = row.len();
            cells.extend(row);
            row_totals.push(right.trim().parse().unwrap());
        }
        CountTable {
            rows: row_totals.len(),
            cols,
            cells,
            row_totals,
            additive,
        }
    }

    /// The published table in the same notation, `*` for a suppressed
    /// figure, with the column totals and the grand total as the last line.
    fn render(published: &Published) -> String {
        let figure = |figure: &Figure| match figure {
            Figure::Shown { count, .. } => count.to_string(),
            Figure::Suppressed => "*".to_owned(),
        };
        let line = |cells: &[Figure], total: &Figure| {
            let cells: Vec<String> = cells.iter().map(figure).collect();
            format!("{} | {}", cells.join(" "), figure(total))
        };
        let cols = published.col_totals.len();
        let mut lines: Vec<String> = published
            .row_totals
            .iter()
            .enumerate()
            .map(|(i, total)| line(&published.cells[i * cols..(i + 1) * cols], total))
            .collect();
        lines.push(line(&published.col_totals, &published.grand_total));
        lines.join("\n")
    }

    fn normalise(text: &str) -> String {
        let lines: Vec<String> = text
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|line| !line.is_empty())
            .collect();
        lines.join("\n")
    }

    fn check(k: u64, additive: bool, input: &str, expect: &str) {
        let published = publish(&table(additive, input), MinCell::new(k).unwrap());
        assert_eq!(
            normalise(&render(&published)),
            normalise(expect),
            "k = {k}, additive = {additive}, table:\n{input}"
        );
    }

    #[test]
    fn min_cell_is_five_by_default_and_never_below_three() {
        assert_eq!(MinCell::DEFAULT.get(), 5);
        assert_eq!(MinCell::new(2), Err(MinCellError::BelowThree));
        assert_eq!(MinCell::new(0), Err(MinCellError::BelowThree));
        assert_eq!(MinCell::new(3).map(MinCell::get), Ok(3));
        assert_eq!(MinCell::new(11).map(MinCell::get), Ok(11));
    }

    #[test]
    fn single_counts() {
        let k = MinCell::DEFAULT;
        assert_eq!(publish_count(0, k), Figure::Shown { count: 0, share: None });
        assert_eq!(publish_count(1, k), Figure::Suppressed);
        assert_eq!(publish_count(4, k), Figure::Suppressed);
        assert_eq!(publish_count(5, k), Figure::Shown { count: 5, share: None });
        assert_eq!(publish_count(2, MinCell::new(3).unwrap()), Figure::Suppressed);
        assert_eq!(
            publish_count(3, MinCell::new(3).unwrap()),
            Figure::Shown { count: 3, share: None }
        );
    }

    #[test]
    fn one_row_without_small_figures_is_shown_whole() {
        check(5, true, "10 20 30 | 60", "10 20 30 | 60\n10 20 30 | 60");
    }

    #[test]
    fn one_row_hides_a_small_cell_its_partner_and_their_column_totals() {
        // Without a breakdown each column total is its cell.
        check(5, true, "3 20 30 | 53", "* * 30 | 53\n* * 30 | 53");
    }

    #[test]
    fn zero_cells_are_shown() {
        check(5, true, "0 20 30 | 50", "0 20 30 | 50\n0 20 30 | 50");
        check(
            5,
            true,
            "0 12 0 | 12
             7  0 9 | 16",
            "0 12 0 | 12
             7  0 9 | 16
             7 12 9 | 28",
        );
    }

    #[test]
    fn a_group_of_no_respondents_is_shown() {
        check(5, true, "0 0 | 0\n6 7 | 13", "0 0 | 0\n6 7 | 13\n6 7 | 13");
    }

    #[test]
    fn k_three_shows_what_k_five_hides() {
        check(3, true, "3 4 10 | 17", "3 4 10 | 17\n3 4 10 | 17");
        check(5, true, "3 4 10 | 17", "* * 10 | 17\n* * 10 | 17");
    }

    #[test]
    fn a_small_group_is_hidden_with_the_next_smallest_group() {
        check(
            5,
            true,
            " 2  1 |  3
             10 12 | 22
             20 30 | 50",
            " *  * |  *
              *  * |  *
             20 30 | 50
             32 43 | 75",
        );
    }

    #[test]
    fn everything_small_hides_everything() {
        check(5, true, "1 2 | 3", "* * | *\n* * | *");
        check(5, true, "1 0 | 1\n0 2 | 2", "* * | *\n* * | *\n* * | *");
    }

    #[test]
    fn a_small_cell_takes_a_partner_in_its_row_and_in_its_column() {
        check(
            5,
            true,
            "3 10 12 | 25
             8  9 20 | 37",
            " * *  12 | 25
              * *  20 | 37
             11 19 32 | 62",
        );
    }

    #[test]
    fn the_row_partner_carries_suppression_into_another_column() {
        check(
            5,
            true,
            " 3 20 10 | 33
             30  8 40 | 78",
            " *  20  * | 33
              *   8  * | 78
             33  28 50 | 111",
        );
    }

    #[test]
    fn two_small_cells_can_protect_each_other() {
        check(
            5,
            true,
            " 3 10 20 |  33
             12  4 25 |  41
             30 40 50 | 120",
            " *  * 20 |  33
              *  * 25 |  41
             30 40 50 | 120
             45 54 95 | 194",
        );
    }

    #[test]
    fn ties_go_to_the_rightmost_cell_and_the_lowest_row() {
        check(5, true, "3 10 10 | 23", "* 10 * | 23\n* 10 * | 23");
        check(
            5,
            true,
            " 3 20 | 23
             10 30 | 40
             10 30 | 40",
            " *  * |  23
             10 30 |  40
              *  * |  40
             23 80 | 103",
        );
    }

    #[test]
    fn a_zero_is_a_partner_only_when_nothing_else_is_left() {
        check(
            5,
            true,
            "3 9 | 12
             6 0 |  6",
            "* * | 12
             * * |  6
             9 9 | 18",
        );
    }

    #[test]
    fn a_single_column_hides_groups_in_pairs() {
        check(5, true, "3 | 3\n10 | 10\n12 | 12", "* | *\n* | *\n12 | 12\n25 | 25");
    }

    #[test]
    fn a_small_column_total_takes_a_partner_among_the_column_totals() {
        // Counting per group and per option alone would leave the column
        // totals 2 (hidden), 17, 21 beside a grand total of 40: 40 − 17 − 21
        // gives the first column total, and with it the 2 above the shown 0.
        // Hiding the 17 too leaves 8 + 2 = 10 in the first row, unsplit.
        check(
            5,
            true,
            "2 8 10 | 20
             0 9 11 | 20",
            "* * 10 | 20
             0 9 11 | 20
             * * 21 | 40",
        );
    }

    #[test]
    fn a_hidden_cell_joining_two_blocks_gets_another_link() {
        // After counting, the hidden figures form two blocks — rows 1 and 3
        // with columns 1 and 4; row 2 and the column totals with columns 2
        // and 3 — joined only by the 1 in row 3, column 2. Its row-mates sum
        // to (12 − 9) + 17 − 15 = 5, so it would be 6 − 5 = 1 exactly.
        // Hiding the 9 links the blocks a second time.
        check(
            5,
            true,
            "2 0 0 13 | 15
             9 1 4  0 | 14
             1 1 0  4 |  6",
            " * 0 0  * | 15
              * * *  0 | 14
              * * 0  * |  6
             12 * * 17 | 35",
        );
    }

    #[test]
    fn multiple_choice_cells_get_primary_suppression_and_the_column_total_goes() {
        check(5, false, "4 10 0 | 12", "* 10 0 | 12\n* 10 0 | 12");
        check(
            5,
            false,
            "4 10  2 | 12
             9  3 11 | 15",
            "* 10  * | 12
             9  * 11 | 15
             *  *  * | 27",
        );
    }

    #[test]
    fn multiple_choice_hides_small_groups_in_pairs_and_totals_the_shown_ones() {
        check(
            5,
            false,
            " 2 1  0 |  2
              8 6  9 | 12
             10 7 12 | 20",
            " * *  * |  *
              * *  * |  *
             10 7 12 | 20
             10 7 12 | 34",
        );
    }

    #[test]
    fn a_table_without_groups_has_zero_totals() {
        let table = CountTable {
            rows: 0,
            cols: 2,
            cells: vec![],
            row_totals: vec![],
            additive: true,
        };
        assert_eq!(render(&publish(&table, MinCell::DEFAULT)), "0 0 | 0");
    }

    fn shares(published: &Published) -> Vec<Option<f64>> {
        published
            .cells
            .iter()
            .map(|figure| match figure {
                Figure::Shown { share, .. } => *share,
                Figure::Suppressed => None,
            })
            .collect()
    }

    #[test]
    fn shares_are_over_the_shown_cells_or_the_respondents() {
        let published = publish(&table(true, "0 12 0 | 12\n8 0 24 | 32"), MinCell::DEFAULT);
        assert_eq!(
            shares(&published),
            [Some(0.0), Some(1.0), Some(0.0), Some(0.25), Some(0.0), Some(0.75)]
        );
        // The 20 beside the hidden 3 is not 20/53 of the row but all that is shown.
        let published = publish(&table(true, "3 20 30 | 53"), MinCell::DEFAULT);
        assert_eq!(shares(&published), [None, None, Some(1.0)]);
        // Multiple choice: the part of the group's respondents who ticked it.
        let published = publish(&table(false, "4 10 5 | 20"), MinCell::DEFAULT);
        assert_eq!(shares(&published), [None, Some(0.5), Some(0.25)]);
        let published = publish(&table(true, "0 0 | 0"), MinCell::DEFAULT);
        assert_eq!(shares(&published), [None, None]);
        assert_eq!(published.row_totals, [Figure::Shown { count: 0, share: None }]);
    }

    fn everything_suppressed(published: &Published, rows: usize, cols: usize) -> bool {
        published.cells.len() == rows * cols
            && published.row_totals.len() == rows
            && published.col_totals.len() == cols
            && published
                .cells
                .iter()
                .chain(&published.row_totals)
                .chain(&published.col_totals)
                .all(|f| *f == Figure::Suppressed)
            && published.grand_total == Figure::Suppressed
    }

    #[test]
    fn malformed_tables_are_published_fully_suppressed() {
        let k = MinCell::DEFAULT;
        let shape = |rows, cols, cells: Vec<u64>, row_totals: Vec<u64>| CountTable {
            rows,
            cols,
            cells,
            row_totals,
            additive: true,
        };
        // Too few cells, too many cells, a missing row total.
        assert!(everything_suppressed(
            &publish(&shape(2, 2, vec![10, 10, 10], vec![20, 10]), k),
            2,
            2
        ));
        assert!(everything_suppressed(
            &publish(&shape(1, 2, vec![10, 10, 10], vec![20]), k),
            1,
            2
        ));
        assert!(everything_suppressed(
            &publish(&shape(2, 1, vec![10, 10], vec![10]), k),
            2,
            1
        ));
        // An additive row that does not add up; a multiple-choice cell above its group.
        assert!(everything_suppressed(&publish(&table(true, "10 10 | 25"), k), 1, 2));
        assert!(everything_suppressed(&publish(&table(false, "10 30 | 25"), k), 1, 2));
        // Sums that do not fit in a u64.
        assert!(everything_suppressed(
            &publish(&shape(1, 2, vec![u64::MAX, 1], vec![0]), k),
            1,
            2
        ));
        assert!(everything_suppressed(
            &publish(&shape(2, 1, vec![u64::MAX, u64::MAX], vec![u64::MAX; 2]), k),
            2,
            1
        ));
        // Shapes too large to allocate come back empty.
        assert!(everything_suppressed(
            &publish(&shape(usize::MAX, 2, vec![], vec![]), k),
            0,
            0
        ));
        assert!(everything_suppressed(
            &publish(&shape(0, usize::MAX, vec![], vec![]), k),
            0,
            0
        ));
        assert!(everything_suppressed(
            &publish(&shape(1 << 16, 1 << 16, vec![], vec![]), k),
            0,
            0
        ));
    }

    fn count() -> impl Strategy<Value = u64> {
        prop_oneof![Just(0), 1..10_u64, 0..40_u64]
    }

    /// Consistent tables up to 8 × 6 with k in 3..=10, additive or not.
    fn tables() -> impl Strategy<Value = (CountTable, MinCell)> {
        (0..=8_usize, 0..=6_usize, any::<bool>(), 3..=10_u64)
            .prop_flat_map(|(rows, cols, additive, k)| {
                (
                    vec(count(), rows * cols),
                    vec(0..10_u64, rows),
                    Just((rows, cols, additive, k)),
                )
            })
            .prop_map(|(cells, extra, (rows, cols, additive, k))| {
                let row_totals = (0..rows)
                    .map(|i| {
                        let row = &cells[i * cols..(i + 1) * cols];
                        if additive {
                            row.iter().sum()
                        } else {
                            row.iter().copied().max().unwrap_or(0) + extra[i]
                        }
                    })
                    .collect();
                (
                    CountTable {
                        rows,
                        cols,
                        cells,
                        row_totals,
                        additive,
                    },
                    MinCell::new(k).unwrap(),
                )
            })
    }

    fn is_hidden(figure: &Figure) -> bool {
        *figure == Figure::Suppressed
    }

    /// Position in the extended grid (totals as an extra row and column) and
    /// whether that figure is hidden.
    fn hidden_grid(published: &Published, rows: usize, cols: usize) -> Vec<bool> {
        let mut hidden = vec![false; (rows + 1) * (cols + 1)];
        for i in 0..=rows {
            for j in 0..=cols {
                let figure = match (i == rows, j == cols) {
                    (false, false) => &published.cells[i * cols + j],
                    (false, true) => &published.row_totals[i],
                    (true, false) => &published.col_totals[j],
                    (true, true) => &published.grand_total,
                };
                hidden[i * (cols + 1) + j] = is_hidden(figure);
            }
        }
        hidden
    }

    /// The equations a reader knows, as coefficients over the extended grid.
    fn equations(table: &CountTable, published: &Published) -> Vec<Vec<f64>> {
        let (rows, cols) = (table.rows, table.cols);
        let at = |i: usize, j: usize| i * (cols + 1) + j;
        let mut equations = Vec::new();
        let mut equation = |terms: Vec<(usize, f64)>| {
            let mut row = vec![0.0; (rows + 1) * (cols + 1)];
            for (position, coefficient) in terms {
                row[position] += coefficient;
            }
            equations.push(row);
        };
        let summed_rows: Vec<usize> = (0..rows)
            .filter(|&i| table.additive || !is_hidden(&published.row_totals[i]))
            .collect();
        for j in 0..cols {
            equation(
                summed_rows
                    .iter()
                    .map(|&i| (at(i, j), 1.0))
                    .chain([(at(rows, j), -1.0)])
                    .collect(),
            );
        }
        equation(
            (0..rows)
                .map(|i| (at(i, cols), 1.0))
                .chain([(at(rows, cols), -1.0)])
                .collect(),
        );
        if table.additive {
            for i in 0..rows {
                equation(
                    (0..cols)
                        .map(|j| (at(i, j), 1.0))
                        .chain([(at(i, cols), -1.0)])
                        .collect(),
                );
            }
            equation(
                (0..cols)
                    .map(|j| (at(rows, j), 1.0))
                    .chain([(at(rows, cols), -1.0)])
                    .collect(),
            );
        }
        equations
    }

    fn rank(mut matrix: Vec<Vec<f64>>) -> usize {
        let width = matrix.first().map_or(0, Vec::len);
        let mut rank = 0;
        for c in 0..width {
            let Some(pivot) = (rank..matrix.len()).max_by(|&a, &b| matrix[a][c].abs().total_cmp(&matrix[b][c].abs()))
            else {
                break;
            };
            if matrix[pivot][c].abs() < 1e-9 {
                continue;
            }
            matrix.swap(rank, pivot);
            let pivot_row = matrix[rank].clone();
            for (r, row) in matrix.iter_mut().enumerate() {
                if r != rank {
                    let factor = row[c] / pivot_row[c];
                    for (value, pivot) in row.iter_mut().zip(&pivot_row).skip(c) {
                        *value -= factor * pivot;
                    }
                }
            }
            rank += 1;
        }
        rank
    }

    /// Hidden figures whose value the equations fix, given the shown ones:
    /// those whose column of the system is independent of the other unknowns.
    fn determined(equations: &[Vec<f64>], hidden: &[bool]) -> Vec<usize> {
        let unknowns: Vec<usize> = (0..hidden.len()).filter(|&p| hidden[p]).collect();
        let restrict = |skip: Option<usize>| -> Vec<Vec<f64>> {
            equations
                .iter()
                .map(|row| unknowns.iter().filter(|&&p| Some(p) != skip).map(|&p| row[p]).collect())
                .collect()
        };
        let full = rank(restrict(None));
        unknowns
            .iter()
            .copied()
            .filter(|&p| rank(restrict(Some(p))) < full)
            .collect()
    }

    proptest! {
        #[test]
        fn nothing_small_is_shown_and_what_is_shown_is_true((table, k) in tables()) {
            let published = publish(&table, k);
            let (rows, cols) = (table.rows, table.cols);
            prop_assert_eq!(published.cells.len(), rows * cols);
            prop_assert_eq!(published.row_totals.len(), rows);
            prop_assert_eq!(published.col_totals.len(), cols);
            let summed: Vec<usize> =
                (0..rows).filter(|&i| table.additive || !is_hidden(&published.row_totals[i])).collect();
            let col_totals: Vec<u64> =
                (0..cols).map(|j| summed.iter().map(|&i| table.cells[i * cols + j]).sum()).collect();
            let grand: u64 = table.row_totals.iter().sum();
            let truth = table.cells.iter().chain(&table.row_totals).chain(&col_totals).chain([&grand]);
            let figures = published.cells.iter().chain(&published.row_totals).chain(&published.col_totals);
            for (figure, &value) in figures.chain([&published.grand_total]).zip(truth) {
                if let Figure::Shown { count, .. } = figure {
                    prop_assert!(*count == 0 || *count >= k.get(), "{} shown with k = {}", count, k.get());
                    prop_assert_eq!(*count, value);
                }
            }
        }

        #[test]
        fn no_line_has_exactly_one_hidden_figure((table, k) in tables()) {
            let published = publish(&table, k);
            let (rows, cols) = (table.rows, table.cols);
            let hidden = |i: usize, j: usize| is_hidden(&published.cells[i * cols + j]);
            let shown_rows: Vec<usize> = (0..rows).filter(|&i| !is_hidden(&published.row_totals[i])).collect();
            if table.additive {
                for &i in &shown_rows {
                    let n = (0..cols).filter(|&j| hidden(i, j)).count();
                    prop_assert!(n != 1, "row {} has one hidden cell", i);
                }
            }
            for j in (0..cols).filter(|&j| !is_hidden(&published.col_totals[j])) {
                let n = if table.additive { (0..rows).filter(|&i| hidden(i, j)).count() }
                        else { shown_rows.iter().filter(|&&i| hidden(i, j)).count() };
                prop_assert!(n != 1, "column {} has one hidden cell", j);
            }
            let hidden_rows = rows - shown_rows.len();
            if !is_hidden(&published.grand_total) || (table.additive && published.col_totals.iter().all(|f| !is_hidden(f))) {
                prop_assert!(hidden_rows != 1, "one group hidden alone");
            }
            if table.additive && !is_hidden(&published.grand_total) {
                prop_assert!(published.col_totals.iter().filter(|f| is_hidden(f)).count() != 1);
            }
        }

        #[test]
        fn no_hidden_figure_can_be_worked_out((table, k) in tables()) {
            let published = publish(&table, k);
            let hidden = hidden_grid(&published, table.rows, table.cols);
            let pinned = determined(&equations(&table, &published), &hidden);
            prop_assert!(pinned.is_empty(), "{:?} pinned down in\n{}", pinned, render(&published));
        }

        #[test]
        fn shares_of_a_row_add_up((table, k) in tables()) {
            let published = publish(&table, k);
            let cols = table.cols;
            for i in 0..table.rows {
                let row = &published.cells[i * cols..(i + 1) * cols];
                let shown: Vec<(u64, Option<f64>)> = row.iter().filter_map(|f| match f {
                    Figure::Shown { count, share } => Some((*count, *share)),
                    Figure::Suppressed => None,
                }).collect();
                if table.additive {
                    if shown.iter().any(|&(count, _)| count > 0) {
                        let sum: f64 = shown.iter().map(|&(_, share)| share.unwrap()).sum();
                        prop_assert!((sum - 1.0).abs() < 1e-9, "row {} shares sum to {}", i, sum);
                    } else {
                        prop_assert!(shown.iter().all(|&(_, share)| share.is_none()));
                    }
                } else {
                    for (count, share) in shown {
                        let total = table.row_totals[i];
                        prop_assert_eq!(share, (total > 0).then(|| count as f64 / total as f64));
                    }
                }
            }
        }

        #[test]
        fn publish_never_panics(
            rows in 0..8_usize,
            cols in 0..8_usize,
            cells in vec(prop_oneof![count(), any::<u64>()], 0..40),
            row_totals in vec(prop_oneof![count(), any::<u64>()], 0..8),
            additive in any::<bool>(),
            k in 3..=10_u64,
        ) {
            let well_shaped = cells.len() == rows * cols && row_totals.len() == rows;
            let table = CountTable { rows, cols, cells, row_totals, additive };
            let published = publish(&table, MinCell::new(k).unwrap());
            prop_assert_eq!(published.cells.len(), rows * cols);
            prop_assert_eq!(published.row_totals.len(), rows);
            prop_assert_eq!(published.col_totals.len(), cols);
            if !well_shaped {
                prop_assert!(everything_suppressed(&published, rows, cols));
            }
        }
    }
}
