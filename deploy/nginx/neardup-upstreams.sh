#!/bin/sh
# Writes nginx's view of a replicated neardup deployment (docs/SCALE.md,
# "Routing") from etcd, and reloads nginx when it changed:
#   - an upstream per node group, its current primary;
#   - neardup_hashed: every group's primary, chosen by a consistent hash
#     of the x-neardup-collection header (collections placed nowhere);
#   - a map from the x-neardup-collection header to the upstream: the
#     group etcd places the collection on, else neardup_hashed.
# neardup-routes.conf uses them. Run it beside nginx; it follows etcd
# (etcdctl watch) until stopped, or once with --once.
#
#   deploy/nginx/neardup-upstreams.sh [--once] ETCD_ENDPOINTS OUTPUT_FILE [NGINX_ARGS...]
#   deploy/nginx/neardup-upstreams.sh 127.0.0.1:2379 /etc/nginx/neardup-upstreams.conf
#
# NGINX_ARGS are passed to `nginx -s reload` (e.g. -c FILE -p PREFIX).
set -eu
once=no
if [ "${1:-}" = "--once" ]; then once=yes; shift; fi
if [ $# -lt 2 ]; then
  echo "usage: $0 [--once] ETCD_ENDPOINTS OUTPUT_FILE [NGINX_ARGS...]" >&2
  exit 2
fi
endpoints=$1
out=$2
shift 2
export ETCDCTL_API=3
etcd() { etcdctl --endpoints "$endpoints" --dial-timeout 2s --command-timeout 3s "$@"; }

# Prints the configuration for what etcd holds now.
render() {
  primaries=$(mktemp)
  placements=$(mktemp)
  # KEY and VALUE lines; a primary's value is "NAME\nHOST:PORT".
  etcd get --prefix /neardup/groups/ | awk '
    /^\/neardup\/groups\/[^\/]+\/primary$/ { split($0, p, "/"); group = p[4]; want = 2; next }
    want == 2 { want = 1; next }            # the node name
    want == 1 { print group, $0; want = 0 }  # its address
  ' > "$primaries"
  etcd get --prefix /neardup/placement/ | awk '
    /^\/neardup\/placement\// { split($0, p, "/"); coll = p[4]; getline; print coll, $0 }
  ' > "$placements"
  echo "# written by neardup-upstreams.sh from etcd $endpoints"
  if [ ! -s "$primaries" ]; then
    echo "# no node group has a primary: calls fail with 502 until one does"
    echo "upstream neardup_hashed { server 127.0.0.1:1 down; }"
  else
    while read -r group address; do
      echo "upstream neardup_group_$group { server $address; }"
    done < "$primaries"
    echo "upstream neardup_hashed {"
    echo "  hash \$http_x_neardup_collection consistent;"
    while read -r group address; do echo "  server $address;"; done < "$primaries"
    echo "}"
  fi
  echo "map \$http_x_neardup_collection \$neardup_upstream {"
  echo "  default neardup_hashed;"
  while read -r coll group; do
    if grep -q "^$group " "$primaries"; then
      echo "  \"$coll\" neardup_group_$group;"
    fi
  done < "$placements"
  echo "}"
  rm -f "$primaries" "$placements"
}

update() {
  new=$(mktemp)
  render > "$new"
  if [ -f "$out" ] && cmp -s "$new" "$out"; then
    rm -f "$new"
    return 0
  fi
  mv "$new" "$out"
  chmod 644 "$out"
  if [ -n "${NGINX_RELOAD:-yes}" ] && [ "${NGINX_RELOAD:-yes}" != no ]; then
    nginx -s reload "$@" 2>/dev/null || true
  fi
}

update "$@"
[ "$once" = yes ] && exit 0
# Every change under /neardup/ (elections, placements) rewrites it.
etcd watch --prefix /neardup/ | while read -r _; do update "$@"; done
