# POSIX edge cases, run with bash in the current directory (relative paths only, no cd): a plain
# dataset and a project through /projects must print the same lines. Run as root.
w=edges-$$
err=$(mktemp)
t() { # label command...: "label: ok", or "label: <error as the command printed it>"
  local label=$1; shift
  if "$@" 2>"$err" >/dev/null; then echo "$label: ok"; else echo "$label: $(sed 's/^.*: //' "$err" | tail -1)"; fi
}
ct() { stat -c %z "$1"; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
mkdir $w

# link counts and ctimes on every name of a file (one second apart: zfs-fuse keeps whole seconds)
echo f > $w/f; echo j > $w/j; ln $w/j $w/j2; echo k > $w/k; echo l > $w/l; ln $w/l $w/l2; echo m > $w/m
f0=$(ct $w/f); j0=$(ct $w/j); l0=$(ct $w/l2); m0=$(ct $w/m)
sleep 1.1
t link ln $w/f $w/g
echo "after link: f $(stat -c %h $w/f), g $(stat -c %h $w/g), f's ctime changed: $([ "$(ct $w/f)" != "$f0" ] && echo yes || echo no)"
t unlink rm $w/j2
echo "after unlink: j $(stat -c %h $w/j), j's ctime changed: $([ "$(ct $w/j)" != "$j0" ] && echo yes || echo no)"
t rename-over mv $w/k $w/l
echo "after rename over: l2 $(stat -c %h $w/l2), l2's ctime changed: $([ "$(ct $w/l2)" != "$l0" ] && echo yes || echo no)"
t rename mv $w/m $w/n
echo "after rename: n's ctime changed: $([ "$(ct $w/n)" != "$m0" ] && echo yes || echo no)"
d0=$(stat -c %h $w); mkdir $w/sub; d1=$(stat -c %h $w); rmdir $w/sub
echo "directory links: $d0, with a subdirectory $d1, after rmdir $(stat -c %h $w)"

# names at and past NAME_MAX
t name-255 touch $w/$(printf 'n%.0s' $(seq 255))
t name-256 touch $w/$(printf 'n%.0s' $(seq 256))
t mkdir-256 mkdir $w/$(printf 'n%.0s' $(seq 256))

# paths just under PATH_MAX (4096 with its NUL) from here, and one byte over
p=$w; c=$(printf 'a%.0s' $(seq 250))
while [ $(( ${#p} + 251 )) -le 3840 ]; do p=$p/$c; mkdir $p; done
p=$p/$(printf 'd%.0s' $(seq $(( 3840 - ${#p} - 1 )))); mkdir $p
x=$p/$(printf 'f%.0s' $(seq 250))
echo "longest path: $(( ${#x} + 4 )) bytes"
t open touch ${x}o
t write bash -c 'echo data > "$1"' - ${x}o
t chmod chmod 640 ${x}o
t chown chown 65534:65534 ${x}o
t truncate truncate -s 3 ${x}o
echo "file: $(stat -c '%s %a %u %g %h' ${x}o)"
t link ln ${x}o ${x}l
echo "links: $(stat -c %h ${x}o)"
t symlink ln -s somewhere ${x}s
t readlink readlink ${x}s
t mkfifo mkfifo ${x}p
t mknod mknod ${x}n p
t mkdir mkdir ${x}d
t rename mv -T ${x}l ${x}m
t rmdir rmdir ${x}d
t unlink rm ${x}m
t utimes touch -m -d @1700000000 ${x}o
echo "mtime: $(stat -c %Y ${x}o)"
t too-long touch ${x}ooooo
t too-long-mkdir mkdir ${x}ddddd

# another user's permissions
mkdir $w/p1 $w/p2; chmod 0777 $w/p1 $w/p2; mkdir $w/p1/d; echo secret > $w/p1/s; chmod 600 $w/p1/s
t nobody-reads-0600 as_nobody cat $w/p1/s
t nobody-writes-root-file as_nobody bash -c 'echo x > "$1"' - $w/n
t nobody-creates-in-0777 as_nobody touch $w/p1/mine
echo "owner of a file nobody made: $(stat -c '%u %g' $w/p1/mine)"
t nobody-moves-roots-dir-elsewhere as_nobody mv -T $w/p1/d $w/p2/d
t nobody-renames-roots-dir-in-place as_nobody mv -T $w/p1/d $w/p1/e
chmod 1777 $w/p2; echo r > $w/p2/roots
t nobody-unlinks-in-sticky-dir as_nobody rm -f $w/p2/roots
t nobody-chmods-roots-file as_nobody chmod 777 $w/n
t nobody-chowns-own-file as_nobody chown 0 $w/p1/mine

rm -rf $w "$err"
echo done
