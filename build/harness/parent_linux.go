package harness

import "syscall"

// endWithParent asks the kernel to send the server SIGTERM when the process that
// started it dies, however it dies. (The signal follows the starting OS thread; Go
// only ends threads of goroutines that locked them, which the harness does not.)
func endWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGTERM
}
