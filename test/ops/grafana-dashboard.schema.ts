import { z } from 'zod';

/**
 * The part of Grafana's dashboard model (schemaVersion 39, Grafana 10/11) this repository's
 * dashboard uses, strict where a mistake would load as a broken panel: core panel types only (no
 * plugin to install), a Prometheus query per target, a 24-column grid.
 */
const datasource = z.object({ type: z.literal('prometheus'), uid: z.string().min(1) }).strict();
const gridPos = z
  .object({
    h: z.number().int().positive(),
    w: z.number().int().min(1).max(24),
    x: z.number().int().min(0).max(23),
    y: z.number().int().min(0),
  })
  .strict()
  .refine((g) => g.x + g.w <= 24, 'wider than the 24-column grid');
const target = z
  .object({
    refId: z.string().regex(/^[A-Z]$/),
    datasource,
    expr: z.string().min(1),
    legendFormat: z.string(),
    range: z.boolean().optional(),
    instant: z.boolean().optional(),
    format: z.enum(['time_series', 'table', 'heatmap']).optional(),
  })
  .strict();
const row = z
  .object({
    id: z.number().int(),
    type: z.literal('row'),
    title: z.string().min(1),
    collapsed: z.literal(false),
    gridPos,
    panels: z.array(z.never()),
  })
  .strict();
const panel = z
  .object({
    id: z.number().int(),
    type: z.enum(['timeseries', 'stat', 'table', 'bargauge']),
    title: z.string().min(1),
    description: z.string(),
    datasource,
    gridPos,
    targets: z
      .array(target)
      .min(1)
      .refine((ts) => new Set(ts.map((t) => t.refId)).size === ts.length, 'duplicate refId'),
    fieldConfig: z.object({ defaults: z.record(z.string(), z.unknown()), overrides: z.array(z.unknown()) }).strict(),
    options: z.record(z.string(), z.unknown()),
    transformations: z.array(z.object({ id: z.string(), options: z.record(z.string(), z.unknown()) })).optional(),
  })
  .strict();

export const grafanaDashboardSchema = z
  .object({
    uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
    title: z.string().min(1),
    description: z.string(),
    tags: z.array(z.string()),
    timezone: z.string(),
    editable: z.boolean(),
    graphTooltip: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    refresh: z.string().regex(/^\d+[smhd]$/),
    schemaVersion: z.number().int().min(36),
    version: z.number().int(),
    time: z.object({ from: z.string(), to: z.string() }).strict(),
    timepicker: z.object({}).strict(),
    templating: z.object({ list: z.array(z.unknown()) }).strict(),
    annotations: z.object({ list: z.array(z.unknown()) }).strict(),
    links: z.array(z.unknown()),
    panels: z.array(z.union([row, panel])).min(1),
  })
  .strict()
  .refine((d) => new Set(d.panels.map((p) => p.id)).size === d.panels.length, 'duplicate panel id');
