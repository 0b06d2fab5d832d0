import { ArgumentError } from '@entroscope/core';
import type { Norm } from './special-functions';

/**
 * A k-d tree (Bentley, Commun. ACM 18, 509 (1975); Friedman, Bentley & Finkel, ACM TOMS 3, 209 (1977)) over n
 * points in d dimensions for the two queries the kNN estimators need: the k nearest neighbours of a point and the
 * number of points within a radius. Max-norm or Euclidean. Splits on the widest dimension at the median; points are
 * stored in tree (leaf) order, so a leaf is a contiguous block and `order` maps a tree position back to the caller's
 * row — callers that query every point do best to query in that order (`pointsInTreeOrder`), so that consecutive
 * queries walk the same, already cached, part of the tree.
 *
 * Distances and box bounds use the same monotone float expressions (fl(q − p) is monotone in p, so a box's bounds
 * bound every point's coordinate difference), so a point at exactly the radius is classified consistently (KSG
 * algorithm 2 counts ‖·‖ ≤ ε where ε is itself a neighbour's distance), and whole-node decisions never disagree with
 * the per-point test. Strict counts (‖·‖ < r) are ‖·‖ ≤ r⁻ with r⁻ the largest double below r: the same set, exactly.
 */
export class KdTree {
  readonly n: number;
  readonly d: number;
  readonly norm: Norm;
  /** Points in tree order, row-major: row p is the point with original index order[p]. */
  readonly pointsInTreeOrder: Float64Array;
  /** Tree position → original index. */
  readonly order: Int32Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly splitDim: Int32Array;
  private readonly splitValue: Float64Array;
  private nodeCount = 0;
  private maxDepth = 0;
  /** Per recursion depth, the dimensions in which the current node's box is not yet inside the query's slab. */
  private readonly active: Int32Array;

  constructor(values: ArrayLike<number>, n: number, d: number, norm: Norm = 'max', leafSize = 12) {
    if (values.length !== n * d)
      throw new ArgumentError('KdTree: values', `${n}×${d} = ${n * d} values`, values.length);
    if (n < 1) throw new ArgumentError('KdTree: n', 'at least one point', n);
    this.n = n;
    this.d = d;
    this.norm = norm;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const maxNodes = 2 * Math.ceil(n / Math.max(1, leafSize >> 1)) + 2;
    this.start = new Int32Array(maxNodes);
    this.end = new Int32Array(maxNodes);
    this.left = new Int32Array(maxNodes).fill(-1);
    this.right = new Int32Array(maxNodes).fill(-1);
    this.lo = new Float64Array(maxNodes * d);
    this.hi = new Float64Array(maxNodes * d);
    this.splitDim = new Int32Array(maxNodes);
    this.splitValue = new Float64Array(maxNodes);
    this.offsets = new Float64Array(d);
    this.build(values, order, 0, n, Math.max(1, leafSize), 0);
    this.order = order;
    this.active = new Int32Array((this.maxDepth + 2) * d);
    const points = new Float64Array(n * d);
    for (let p = 0; p < n; p++) {
      const src = order[p]! * d;
      for (let j = 0; j < d; j++) points[p * d + j] = values[src + j]!;
    }
    this.pointsInTreeOrder = points;
  }

  private build(
    values: ArrayLike<number>,
    order: Int32Array,
    from: number,
    to: number,
    leafSize: number,
    depth: number,
  ): number {
    const node = this.nodeCount++;
    if (depth > this.maxDepth) this.maxDepth = depth;
    const d = this.d;
    this.start[node] = from;
    this.end[node] = to;
    let widest = 0;
    let width = -1;
    for (let j = 0; j < d; j++) {
      let mn = Infinity;
      let mx = -Infinity;
      for (let p = from; p < to; p++) {
        const v = values[order[p]! * d + j]!;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      this.lo[node * d + j] = mn;
      this.hi[node * d + j] = mx;
      if (mx - mn > width) {
        width = mx - mn;
        widest = j;
      }
    }
    if (to - from <= leafSize || width <= 0) return node;
    const mid = (from + to) >> 1;
    quickselect(values, order, from, to - 1, mid, widest, d);
    this.splitDim[node] = widest;
    this.splitValue[node] = values[order[mid]! * d + widest]!;
    this.left[node] = this.build(values, order, from, mid, leafSize, depth + 1);
    this.right[node] = this.build(values, order, mid, to, leafSize, depth + 1);
    return node;
  }

  // Query state (one query at a time per tree), kept on the instance to keep the recursion's frames small.
  private qv: ArrayLike<number> = [];
  private qo = 0;
  private k = 1;
  private exclude = -1;
  private bestD: Float64Array = new Float64Array(1);
  private bestI: Int32Array = new Int32Array(1);
  private radius = 0;
  private count = 0;
  private readonly offsets: Float64Array;

  /**
   * The k nearest tree points to query q (offset qo), excluding the point with original index `exclude` (−1: none).
   * Writes distances ascending into `dist` (true distances, not squared) and original indices into `idx`; among
   * points tied at the k-th distance the first one visited is kept. Depth-first, nearer child first, the far child
   * pruned by the distance to its cell, updated incrementally along the split dimension (Arya & Mount 1993): O(1)
   * per node instead of O(d).
   */
  nearest(q: ArrayLike<number>, qo: number, k: number, exclude: number, dist: Float64Array, idx: Int32Array): void {
    dist.fill(Infinity, 0, k);
    idx.fill(-1, 0, k);
    this.qv = q;
    this.qo = qo;
    this.k = k;
    this.exclude = exclude;
    this.bestD = dist;
    this.bestI = idx;
    this.offsets.fill(0);
    this.nearestNode(0, 0);
    if (this.norm === 'euclidean') for (let i = 0; i < k; i++) dist[i] = Math.sqrt(dist[i]!);
  }

  private nearestNode(node: number, rd: number): void {
    const l = this.left[node]!;
    if (l < 0) {
      if (this.norm !== 'max' || !this.boxDistanceAtLeast(node, this.bestD[this.k - 1]!)) this.nearestInLeaf(node);
      return;
    }
    const dim = this.splitDim[node]!;
    const gap = this.qv[this.qo + dim]! - this.splitValue[node]!;
    const near = gap <= 0 ? l : this.right[node]!;
    const far = gap <= 0 ? this.right[node]! : l;
    this.nearestNode(near, rd);
    const old = this.offsets[dim]!;
    let farRd: number;
    if (this.norm === 'max') {
      const g = gap < 0 ? -gap : gap;
      farRd = g > rd ? g : rd;
    } else farRd = rd - old * old + gap * gap;
    if (farRd < this.bestD[this.k - 1]!) {
      this.offsets[dim] = gap;
      this.nearestNode(far, farRd);
      this.offsets[dim] = old;
    }
  }

  private nearestInLeaf(node: number): void {
    const { qv: q, qo, d, pointsInTreeOrder: pts, order, bestD: dist, bestI: idx, k } = this;
    const isMax = this.norm === 'max';
    const end = this.end[node]!;
    let worst = dist[k - 1]!;
    for (let p = this.start[node]!; p < end; p++) {
      const s = isMax
        ? maxDistanceBelow(q, qo, pts, p * d, d, worst)
        : squaredDistanceBelow(q, qo, pts, p * d, d, worst);
      if (s < worst && order[p] !== this.exclude) worst = insertNeighbour(dist, idx, k, s, order[p]!);
    }
  }

  /**
   * Number of tree points within `radius` of q (offset qo): ‖p − q‖ < radius when `strict`, ≤ otherwise. Includes the
   * query point itself if it is in the tree. Max-norm: a node is skipped when its tight bounding box lies outside the
   * ball in some dimension and added whole when it lies inside; a dimension in which a node's box lies inside the
   * ball's slab stays inside for its children, so below it only the remaining dimensions are tested, down to the
   * points of a straddling leaf. Euclidean: the float sum of squared differences against radius², cells pruned by the
   * incremental cell distance, whole boxes added.
   */
  countWithin(q: ArrayLike<number>, qo: number, radius: number, strict: boolean): number {
    let r = this.norm === 'euclidean' ? radius * radius : radius;
    if (strict) r = nextBelow(r);
    if (!(r >= 0)) return 0;
    this.qv = q;
    this.qo = qo;
    this.radius = r;
    this.count = 0;
    if (this.norm === 'max') {
      for (let j = 0; j < this.d; j++) this.active[j] = j;
      this.countMax(0, 0, this.d);
    } else {
      this.offsets.fill(0);
      this.countEuclidean(0, 0);
    }
    return this.count;
  }

  private countMax(node: number, depth: number, activeCount: number): void {
    const { d, radius: r, qv: q, qo, active, lo, hi } = this;
    const box = node * d;
    const from = depth * d;
    const to = from + d;
    let m = 0;
    for (let t = 0; t < activeCount; t++) {
      const j = active[from + t]!;
      const x = q[qo + j]!;
      // For every point p of the box, x − hi ≤ fl(x − p) ≤ x − lo (rounding is monotone).
      const a = x - lo[box + j]!;
      const c = x - hi[box + j]!;
      if (a < -r || c > r) return;
      if (a > r || c < -r) active[to + m++] = j;
    }
    const startP = this.start[node]!;
    const endP = this.end[node]!;
    if (m === 0) {
      this.count += endP - startP;
      return;
    }
    const l = this.left[node]!;
    if (l >= 0) {
      this.countMax(l, depth + 1, m);
      this.countMax(this.right[node]!, depth + 1, m);
      return;
    }
    const pts = this.pointsInTreeOrder;
    let inside = 0;
    if (m === 1) {
      const j = active[to]!;
      const x = q[qo + j]!;
      for (let p = startP; p < endP; p++) {
        const a = x - pts[p * d + j]!;
        if (a <= r && a >= -r) inside++;
      }
    } else {
      for (let p = startP; p < endP; p++) {
        const base = p * d;
        let t = 0;
        for (; t < m; t++) {
          const j = active[to + t]!;
          const a = q[qo + j]! - pts[base + j]!;
          if (a > r || a < -r) break;
        }
        if (t === m) inside++;
      }
    }
    this.count += inside;
  }

  private countEuclidean(node: number, rd: number): void {
    const r = this.radius;
    const size = this.end[node]! - this.start[node]!;
    if (size > 4 && this.boxFarthestSquared(node) <= r) {
      this.count += size;
      return;
    }
    const l = this.left[node]!;
    if (l < 0) {
      const { qv: q, qo, d, pointsInTreeOrder: pts } = this;
      for (let p = this.start[node]!; p < this.end[node]!; p++)
        if (squaredDistanceBelow(q, qo, pts, p * d, d, Infinity) <= r) this.count++;
      return;
    }
    const dim = this.splitDim[node]!;
    const gap = this.qv[this.qo + dim]! - this.splitValue[node]!;
    this.countEuclidean(gap <= 0 ? l : this.right[node]!, rd);
    const old = this.offsets[dim]!;
    const farRd = rd - old * old + gap * gap;
    if (farRd <= r) {
      this.offsets[dim] = gap;
      this.countEuclidean(gap <= 0 ? this.right[node]! : l, farRd);
      this.offsets[dim] = old;
    }
  }

  /**
   * Whether the max-norm distance from the query to a node's bounding box is at least `bound` (then no point of the
   * node is nearer than `bound`: for p ≥ lo, fl(p − x) ≥ fl(lo − x)).
   */
  private boxDistanceAtLeast(node: number, bound: number): boolean {
    const { d, qv: q, qo, lo, hi } = this;
    const b = node * d;
    for (let j = 0; j < d; j++) {
      const x = q[qo + j]!;
      if (lo[b + j]! - x >= bound || x - hi[b + j]! >= bound) return true;
    }
    return false;
  }

  /** Squared Euclidean distance from the query to the farthest corner of a node's bounding box. */
  private boxFarthestSquared(node: number): number {
    const { d, qv: q, qo } = this;
    const b = node * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const x = q[qo + j]!;
      const a = x - this.lo[b + j]!;
      const c = this.hi[b + j]! - x;
      const g = a > c ? a : c;
      s += g * g;
    }
    return s;
  }
}

type Values = ArrayLike<number>;

/**
 * Max-norm distance between q (offset qo) and row `base` of pts, computed until it reaches `bound` (the returned
 * value is then some partial maximum ≥ bound). The one float expression every max-norm search here uses.
 */
export function maxDistanceBelow(q: Values, qo: number, pts: Values, base: number, d: number, bound: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const a = q[qo + j]! - pts[base + j]!;
    const v = a < 0 ? -a : a;
    if (v > s) {
      s = v;
      if (s >= bound) return s;
    }
  }
  return s;
}

/** Squared Euclidean distance, summed until it reaches `bound` (then some partial sum ≥ bound). */
function squaredDistanceBelow(q: Values, qo: number, pts: Values, base: number, d: number, bound: number): number {
  let s = 0;
  for (let j = 0; j < d && s < bound; j++) {
    const a = q[qo + j]! - pts[base + j]!;
    s += a * a;
  }
  return s;
}

/**
 * Inserts neighbour o at distance s into the ascending k-best lists (s below the current k-th distance); returns the
 * new k-th distance. Equal distances keep their order of arrival.
 */
export function insertNeighbour(dist: Float64Array, idx: Int32Array, k: number, s: number, o: number): number {
  let i = k - 1;
  while (i > 0 && dist[i - 1]! > s) {
    dist[i] = dist[i - 1]!;
    idx[i] = idx[i - 1]!;
    i--;
  }
  dist[i] = s;
  idx[i] = o;
  return dist[k - 1]!;
}

const belowScratch = new Float64Array(1);
const belowWords = new Uint32Array(belowScratch.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * The largest double below r for r > 0 (r itself for r ≤ 0 or NaN, minus the smallest subnormal for 0): for every
 * double a ≥ 0, a < r exactly when a ≤ nextBelow(r).
 */
export function nextBelow(r: number): number {
  if (r === 0) return -Number.MIN_VALUE;
  if (!(r > 0)) return r;
  belowScratch[0] = r;
  const low = LOW_WORD;
  const high = 1 - LOW_WORD;
  if (belowWords[low] === 0) {
    belowWords[low] = 0xffffffff;
    belowWords[high] = belowWords[high]! - 1;
  } else belowWords[low] = belowWords[low]! - 1;
  return belowScratch[0]!;
}

function quickselect(
  values: ArrayLike<number>,
  order: Int32Array,
  lo: number,
  hi: number,
  k: number,
  dim: number,
  d: number,
): void {
  const key = (p: number) => values[order[p]! * d + dim]!;
  while (hi > lo) {
    const pivot = key((lo + hi) >> 1);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key(i) < pivot) i++;
      while (key(j) > pivot) j--;
      if (i <= j) {
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

/**
 * Sorted 1-D values for range counts in one dimension (a marginal of KSG): two binary searches, with the boundary
 * adjusted by the same |v − x| comparison the tree uses, so ties at the radius are classified consistently.
 */
export class SortedLine {
  private readonly sorted: Float64Array;
  constructor(values: ArrayLike<number>) {
    this.sorted = Float64Array.from(values).sort();
  }

  countWithin(x: number, radius: number, strict: boolean): number {
    // Nothing lies strictly within 0 (not even x itself), nor within a negative radius.
    if (strict ? !(radius > 0) : !(radius >= 0)) return 0;
    const s = this.sorted;
    const n = s.length;
    const inside = (v: number) => {
      const a = v < x ? x - v : v - x;
      return strict ? a < radius : a <= radius;
    };
    // First index with s[i] ≥ x − radius, then adjusted to the first inside.
    let a = 0;
    let b = n;
    const lowTarget = x - radius;
    while (a < b) {
      const m = (a + b) >> 1;
      if (s[m]! < lowTarget) a = m + 1;
      else b = m;
    }
    let first = a;
    while (first > 0 && inside(s[first - 1]!)) first--;
    while (first < n && s[first]! < x && !inside(s[first]!)) first++;
    a = first;
    b = n;
    const highTarget = x + radius;
    while (a < b) {
      const m = (a + b) >> 1;
      if (s[m]! <= highTarget) a = m + 1;
      else b = m;
    }
    let last = a; // exclusive
    while (last < n && inside(s[last]!)) last++;
    while (last > first && s[last - 1]! > x && !inside(s[last - 1]!)) last--;
    return Math.max(0, last - first);
  }
}
