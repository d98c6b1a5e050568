/** The paths of an access explanation as a picture: the user, each profile, the entitlement. */
import type { ConsoleWhyAccessQuery } from '../gql/graphql';

type Why = ConsoleWhyAccessQuery['whyAccess'];

const W = 760;
const BOX_W = 200;
const BOX_H = 44;
const ROW = 78;

function label(path: Why['paths'][number]): string {
  if (path.justifies) return 'member · includes it';
  if (path.excluded) return 'excluded';
  if (!path.member) return path.matchedCondition.length ? 'matches, not a member yet' : 'not a member';
  if (!path.includesEntitlement) return 'member · does not include it';
  return '';
}

function Box({ x, y, text, sub, kind }: { x: number; y: number; text: string; sub?: string; kind: string }) {
  return (
    <g className={`node ${kind}`}>
      <rect x={x} y={y} width={BOX_W} height={BOX_H} rx={8} />
      <text x={x + BOX_W / 2} y={y + (sub ? 18 : 27)} textAnchor="middle">
        {text.length > 28 ? `${text.slice(0, 27)}…` : text}
      </text>
      {sub ? (
        <text x={x + BOX_W / 2} y={y + 35} textAnchor="middle" className="sub">
          {sub}
        </text>
      ) : null}
    </g>
  );
}

export function PathDiagram({ why }: { why: Why }) {
  const rows = Math.max(why.paths.length, 1);
  const top = why.direct ? 60 : 20;
  const height = top + rows * ROW;
  const mid = top + (rows * ROW - BOX_H) / 2 - 10;
  const userX = 10;
  const profileX = (W - BOX_W) / 2;
  const entX = W - BOX_W - 10;
  const description = [
    why.direct ? `${why.user.displayName} holds ${why.entitlement.name} directly.` : null,
    ...why.paths.map((p) => `Through ${p.profile.name}: ${label(p)}${p.justifies ? ', this path justifies the access' : ''}.`),
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <figure className="diagram">
      <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={description || 'No path gives this access.'}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="arrowhead" />
          </marker>
        </defs>
        <Box x={userX} y={mid} text={why.user.displayName} sub="user" kind="user" />
        <Box x={entX} y={mid} text={why.entitlement.name} sub={why.entitlement.app?.name ?? ''} kind={why.unjustified ? 'entitlement unjustified' : 'entitlement'} />
        {why.direct ? (
          <g>
            <path d={`M ${userX + BOX_W / 2} ${mid} C ${userX + BOX_W / 2} 10, ${entX + BOX_W / 2} 10, ${entX + BOX_W / 2} ${mid}`} className="edge justifies" markerEnd="url(#arrow)" />
            <text x={W / 2} y={24} textAnchor="middle" className="edge-label">
              direct grant
            </text>
          </g>
        ) : null}
        {why.paths.map((p, i) => {
          const y = top + i * ROW;
          const cls = p.justifies ? 'edge justifies' : 'edge inactive';
          return (
            <g key={p.profile.id}>
              <path d={`M ${userX + BOX_W} ${mid + BOX_H / 2} L ${profileX} ${y + BOX_H / 2}`} className={cls} markerEnd="url(#arrow)" />
              <path d={`M ${profileX + BOX_W} ${y + BOX_H / 2} L ${entX} ${mid + BOX_H / 2}`} className={p.includesEntitlement ? cls : 'edge absent'} markerEnd="url(#arrow)" />
              <Box x={profileX} y={y} text={p.profile.name} sub={label(p)} kind={p.justifies ? 'profile justifies' : 'profile'} />
            </g>
          );
        })}
      </svg>
      <figcaption>
        Solid green: a path that gives the access now. Dashed: a profile that does not (not a member, excluded, or the item is not in it).
        {why.enrolledVia ? ` Enrolled via ${why.enrolledVia.toLowerCase().replace('_', ' ')}.` : ''}
      </figcaption>
    </figure>
  );
}
