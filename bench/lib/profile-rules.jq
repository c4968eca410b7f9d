# Flattens an OCI linux.seccomp object to the line format lib/mkfilter.c reads (one rule per name).
"default \(.defaultAction) \(.defaultErrnoRet // 1)",
(.architectures[]? | "arch \(.)"),
(.syscalls[] | . as $s | $s.names[]
  | "rule \($s.action) \($s.errnoRet // 1) \(.)"
    + ([$s.args[]? | " \(.index) \(.op) \(.value) \(.valueTwo // 0)"] | join("")))
