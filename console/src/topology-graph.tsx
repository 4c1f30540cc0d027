/**
 * The topology drawn: pipelines and events as boxes, arrows from each publisher to its event
 * and from the event to each subscriber. Laid out here in a few lines (longest-path layers,
 * one column per layer) rather than with a graph library: the graph is small (tens of nodes),
 * and the well-kept layout libraries (dagre, elkjs) weigh more than the whole console.
 */
export interface TopologyData {
  pipelines: { name: string; role: string }[];
  events: { name: string; publishers: string[]; subscribers: string[] }[];
}

interface Node {
  id: string;
  kind: 'pipeline' | 'event';
  name: string;
  layer: number;
  row: number;
}

const COLUMN = 210;
const ROW = 44;
const BOX_W = 170;
const BOX_H = 28;
const PAD = 10;

/** Nodes in layers (a node one further than its furthest predecessor) and the edges between. */
export function layout(topology: TopologyData): { nodes: Node[]; edges: [string, string][] } {
  const nodes = new Map<string, Node>();
  const add = (kind: Node['kind'], name: string) => {
    const id = `${kind}:${name}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind, name, layer: 0, row: 0 });
    return id;
  };
  for (const p of topology.pipelines) add('pipeline', p.name);
  const edges: [string, string][] = [];
  for (const e of topology.events) {
    const event = add('event', e.name);
    for (const p of e.publishers) edges.push([add('pipeline', p), event]);
    for (const p of e.subscribers) edges.push([event, add('pipeline', p)]);
  }
  // A cycle (a pipeline subscribing downstream of itself) has no layering: the edges closing
  // one, found by a depth-first walk, are left out of it and drawn backwards.
  const closing = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const walk = (id: string) => {
    state.set(id, 'open');
    for (const [from, to] of edges) {
      if (from !== id) continue;
      if (state.get(to) === 'open') closing.add(`${from}>${to}`);
      else if (!state.has(to)) walk(to);
    }
    state.set(id, 'done');
  };
  const targets = new Set(edges.map(([, to]) => to));
  for (const id of [...nodes.keys()].sort(
    (a, b) => Number(targets.has(a)) - Number(targets.has(b)),
  ))
    if (!state.has(id)) walk(id);
  const forward = edges.filter(([from, to]) => !closing.has(`${from}>${to}`));
  for (let round = 0; round < nodes.size; round++) {
    let moved = false;
    for (const [from, to] of forward) {
      const a = nodes.get(from)!;
      const b = nodes.get(to)!;
      if (b.layer < a.layer + 1) {
        b.layer = a.layer + 1;
        moved = true;
      }
    }
    if (!moved) break;
  }
  // Rows layer by layer: a node near the mean row of what points at it (fewer crossings),
  // the first layer by name.
  const layers = new Map<number, Node[]>();
  for (const node of nodes.values())
    layers.set(node.layer, [...(layers.get(node.layer) ?? []), node]);
  const mean = (node: Node): number => {
    const from = edges.filter(([, to]) => to === node.id).map(([f]) => nodes.get(f)!);
    const before = from.filter((f) => f.layer < node.layer);
    return before.length ? before.reduce((sum, f) => sum + f.row, 0) / before.length : 0;
  };
  for (const layer of [...layers.keys()].sort((a, b) => a - b)) {
    const ordered = layers
      .get(layer)!
      .map((node) => ({ node, at: mean(node) }))
      .sort((a, b) => a.at - b.at || a.node.name.localeCompare(b.node.name));
    ordered.forEach(({ node }, row) => (node.row = row));
  }
  return { nodes: [...nodes.values()], edges };
}

const x = (n: Node) => PAD + n.layer * COLUMN;
const y = (n: Node) => PAD + n.row * ROW;

/** The drawing; its text alternative is the list of events that follows it on the page. */
export function TopologyGraph(props: { topology: TopologyData; describedBy: string }) {
  const { nodes, edges } = layout(props.topology);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const width = PAD * 2 + (Math.max(0, ...nodes.map((n) => n.layer)) * COLUMN + BOX_W);
  const height = PAD * 2 + Math.max(1, ...nodes.map((n) => n.row + 1)) * ROW - (ROW - BOX_H);
  return (
    <svg
      class="topology-graph"
      role="img"
      aria-labelledby="topology-graph-title"
      aria-describedby={props.describedBy}
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
    >
      <title id="topology-graph-title">
        Topology: {nodes.filter((n) => n.kind === 'pipeline').length} pipelines and{' '}
        {nodes.filter((n) => n.kind === 'event').length} events, publishers to the left of their
        events, subscribers to the right
      </title>
      <defs>
        <marker
          id="topology-arrow"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
        </marker>
      </defs>
      {edges.map(([from, to]) => {
        const a = byId.get(from)!;
        const b = byId.get(to)!;
        const forward = b.layer > a.layer;
        const x1 = forward ? x(a) + BOX_W : x(a);
        const x2 = forward ? x(b) : x(b) + BOX_W;
        const y1 = y(a) + BOX_H / 2;
        const y2 = y(b) + BOX_H / 2;
        const bend = forward ? (x2 - x1) / 2 : -40;
        return (
          <path
            key={`${from}>${to}`}
            class="edge"
            data-edge={`${a.name} → ${b.name}`}
            d={`M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`}
            marker-end="url(#topology-arrow)"
          />
        );
      })}
      {nodes.map((n) => (
        <g key={n.id} class={`node ${n.kind}`} data-node={n.kind} data-name={n.name}>
          <rect x={x(n)} y={y(n)} width={BOX_W} height={BOX_H} rx={n.kind === 'event' ? 14 : 3} />
          <text
            x={x(n) + BOX_W / 2}
            y={y(n) + BOX_H / 2}
            text-anchor="middle"
            dominant-baseline="central"
          >
            {n.name.length > 24 ? `${n.name.slice(0, 23)}…` : n.name}
          </text>
        </g>
      ))}
    </svg>
  );
}
