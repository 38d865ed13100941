"""Follower networks from follows.jsonl with networkx: degree distributions with a fitted power-law
tail, reciprocity, clustering, components, hubs, and GEXF/GraphML files for Gephi.

An edge is follower -> followee, as in a following list."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from tiktok.analysis.timeseries import about


def follow_graph(follows: pd.DataFrame) -> nx.DiGraph:
    """The directed follow graph (each edge once, however often it was observed); its `about` is
    where and when the follows were observed, for the charts."""
    edges = follows.dropna(subset=["follower", "followee"]).drop_duplicates(["follower", "followee"])
    graph = nx.DiGraph(about=about(follows, "observed_at"))
    graph.add_edges_from(zip(edges["follower"].astype(str), edges["followee"].astype(str), strict=True))
    return graph


def tail_exponent(degrees: list[int] | np.ndarray) -> dict[str, float]:
    """The power-law tail of a degree distribution, fitted as Clauset, Shalizi and Newman do (the
    `powerlaw` package: xmin by the smallest Kolmogorov-Smirnov distance, alpha by maximum
    likelihood): alpha, its standard error, xmin, and the tail's size."""
    values = np.asarray([d for d in degrees if d > 0])
    if len(values) < 10 or len(np.unique(values)) < 3:
        return {"alpha": float("nan"), "sigma": float("nan"), "xmin": float("nan"), "tail": 0.0}
    import powerlaw  # imported here: it loads scipy, which only this needs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = powerlaw.Fit(values, discrete=True, verbose=False)
    return {"alpha": float(fit.alpha), "sigma": float(fit.sigma), "xmin": float(fit.xmin), "tail": float((values >= fit.xmin).sum())}


def degree_table(graph: nx.DiGraph) -> pd.DataFrame:
    """Each account's followers (in-degree) and following (out-degree) within the graph."""
    nodes = list(graph.nodes)
    return pd.DataFrame(
        {"username": nodes, "followers": [graph.in_degree(n) for n in nodes], "following": [graph.out_degree(n) for n in nodes]}
    )


def summary(graph: nx.DiGraph) -> dict[str, Any]:
    """The figures a network study compares across networks."""
    undirected = graph.to_undirected()
    degrees = degree_table(graph)
    weak = [len(c) for c in nx.weakly_connected_components(graph)]
    strong = [len(c) for c in nx.strongly_connected_components(graph)]
    figures: dict[str, Any] = {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "density": nx.density(graph) if graph.number_of_nodes() > 1 else float("nan"),
        "reciprocity": nx.reciprocity(graph) if graph.number_of_edges() else float("nan"),
        "average_clustering": nx.average_clustering(undirected) if len(undirected) else float("nan"),
        "transitivity": nx.transitivity(undirected),
        "weak_components": len(weak),
        "largest_weak_component": max(weak, default=0),
        "strong_components": len(strong),
        "largest_strong_component": max(strong, default=0),
    }
    for direction in ("followers", "following"):
        fit = tail_exponent(degrees[direction].to_numpy())
        figures |= {f"{direction}_tail_{k}": v for k, v in fit.items()}
    return figures


def top_hubs(graph: nx.DiGraph, top: int = 10) -> pd.DataFrame:
    """The most followed accounts in the graph, with their PageRank."""
    rank = nx.pagerank(graph) if graph.number_of_edges() else {}
    table = degree_table(graph).assign(pagerank=lambda t: t["username"].map(rank))
    return table.sort_values(["followers", "username"], ascending=[False, True]).head(top).reset_index(drop=True)


def export(graph: nx.DiGraph, out_dir: Path | str, name: str = "network") -> list[Path]:
    """The graph as GEXF and GraphML (for Gephi), each node with its follower and following counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    marked = graph.copy()
    for node in marked.nodes:
        marked.nodes[node].update(followers=graph.in_degree(node), following=graph.out_degree(node))
    paths = [out / f"{name}.gexf", out / f"{name}.graphml"]
    nx.write_gexf(marked, paths[0])
    nx.write_graphml(marked, paths[1])
    return paths
