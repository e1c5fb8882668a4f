#include "trace/trace-hw_ena.h"
