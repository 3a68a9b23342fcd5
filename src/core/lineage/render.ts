/** Renderings of a lineage subgraph: an indented tree for people, JSON, Graphviz dot, Mermaid. */
import type { ArtifactNode, ExecutionNode, LineageGraph, LineageNode } from "./graph.js";

export type LineageFormat = "tree" | "json" | "dot" | "mermaid";

function artifactLabel(a: ArtifactNode): string {
  return `${a.uri} [${a.type}]${a.version ? ` @ ${a.version}` : ""}`;
}

function executionLabel(e: ExecutionNode): string {
  return `${e.type} ${e.jobName} (${e.state}) run ${e.runId}`;
}

function label(n: LineageNode): string {
  return n.kind === "artifact" ? artifactLabel(n) : executionLabel(n);
}

function renderTree(graph: LineageGraph): string {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const next = (id: string, up: boolean) =>
    graph.edges
      .filter((e) => (up ? e.to === id : e.from === id))
      .map((e) => ({ id: up ? e.from : e.to, declared: e.type.startsWith("DECLARED") }))
      .filter((x) => nodes.has(x.id))
      .sort((a, b) => label(nodes.get(a.id)!).localeCompare(label(nodes.get(b.id)!)));

  const lines: string[] = [];
  function branch(id: string, up: boolean, prefix: string, seen: Set<string>): void {
    const children = next(id, up);
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      const node = nodes.get(child.id)!;
      const repeat = seen.has(child.id);
      const note = `${child.declared ? " (declared)" : ""}${repeat ? " (see above)" : ""}`;
      lines.push(`${prefix}${last ? "└─ " : "├─ "}${label(node)}${note}`);
      if (!repeat) {
        seen.add(child.id);
        branch(child.id, up, `${prefix}${last ? "   " : "│  "}`, seen);
      }
    });
  }

  for (const rootId of graph.roots) {
    const root = nodes.get(rootId);
    if (!root) continue;
    lines.push(label(root));
    for (const up of [true, false]) {
      if (graph.direction === (up ? "down" : "up")) continue;
      if (graph.direction === "both") lines.push(up ? "  upstream:" : "  downstream:");
      const before = lines.length;
      branch(rootId, up, graph.direction === "both" ? "  " : "", new Set([rootId]));
      if (lines.length === before)
        lines.push(`${graph.direction === "both" ? "  " : ""}(no ${up ? "upstream" : "downstream"} lineage)`);
    }
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "(no lineage)\n";
}

const dotString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

function renderDot(graph: LineageGraph): string {
  const lines = ["digraph lineage {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];'];
  for (const n of graph.nodes) {
    const root = graph.roots.includes(n.id) ? ", penwidth=2" : "";
    if (n.kind === "artifact") {
      lines.push(
        `  ${dotString(n.id)} [shape=box, label=${dotString(`${n.type}\n${n.uri}${n.version ? `\n${n.version}` : ""}`)}${root}];`,
      );
    } else {
      const fill = n.state === "COMPLETE" ? "#d4edda" : n.state === "FAILED" ? "#f8d7da" : "#fff3cd";
      lines.push(
        `  ${dotString(n.id)} [shape=ellipse, style=filled, fillcolor=${dotString(fill)}, label=${dotString(`${n.type} ${n.jobName}\n${n.state}\n${n.runId}`)}];`,
      );
    }
  }
  for (const e of graph.edges) {
    lines.push(
      `  ${dotString(e.from)} -> ${dotString(e.to)}${e.type.startsWith("DECLARED") ? " [style=dashed]" : ""};`,
    );
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** Mermaid ids must be plain words; labels are quoted with quotes entity-escaped. */
const mermaidId = (n: { id: string; kind?: string }) => `n${n.id.replace(/[^A-Za-z0-9]/g, "")}`;
const mermaidText = (s: string) => `"${s.replace(/"/g, "#quot;").replace(/\n/g, "<br/>")}"`;

function renderMermaid(graph: LineageGraph): string {
  const lines = ["flowchart LR"];
  for (const n of graph.nodes) {
    if (n.kind === "artifact") {
      lines.push(
        `  ${mermaidId(n)}[${mermaidText(`${n.type}\n${n.uri}${n.version ? `\n${n.version}` : ""}`)}]`,
      );
    } else {
      lines.push(`  ${mermaidId(n)}([${mermaidText(`${n.type} ${n.jobName}\n${n.state}`)}])`);
    }
  }
  for (const e of graph.edges) {
    lines.push(
      `  ${mermaidId({ id: e.from })} ${e.type.startsWith("DECLARED") ? "-.->" : "-->"} ${mermaidId({ id: e.to })}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function renderLineage(graph: LineageGraph, format: LineageFormat): string {
  switch (format) {
    case "tree":
      return renderTree(graph);
    case "dot":
      return renderDot(graph);
    case "mermaid":
      return renderMermaid(graph);
    case "json":
      return `${JSON.stringify(graph, null, 2)}\n`;
  }
}
