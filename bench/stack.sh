# Sourced by bench scripts: starts a private redis-server, a real engine and
# `tickstock app` (with one viewer user) on free loopback ports, all files in
# $dir. Needs $bin and $dir; appends to the caller's `pids` array. Sets url,
# rport, aport, engine_pid, app_pid and writes the user's password to
# $dir/password.   start_stack USER
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_stack() {
  local user=$1
  rport=$(free_port) aport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" >"$dir/redis.log" 2>&1 &
  pids+=($!)
  until redis-cli -p "$rport" ping >/dev/null 2>&1; do sleep 0.1; done
  url="redis://127.0.0.1:$rport/0"
  "$bin" engine --redis "$url" --db "sqlite:$dir/engine.db" --http off --no-scheduler >"$dir/engine.log" 2>&1 &
  engine_pid=$!
  pids+=($engine_pid)
  head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
  "$bin" app user add "$user" --role viewer --password-stdin --db "sqlite:$dir/app.db" <"$dir/password" >/dev/null
  "$bin" app --redis "$url" --http "127.0.0.1:$aport" --db "sqlite:$dir/app.db" >"$dir/app.log" 2>&1 &
  app_pid=$!
  pids+=($app_pid)
  until curl -s -o /dev/null "http://127.0.0.1:$aport/login"; do sleep 0.1; done
}
